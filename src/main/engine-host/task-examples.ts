import * as fs from 'node:fs';
import * as path from 'node:path';
import { TaskExampleSchema, type TaskExample } from '../../shared/lab-api';

/**
 * The first `limit` questions of a model's bundled test split (`task/test.jsonl`), or none when the
 * folder has no task. Only the fields the picker shows are read; records missing them are skipped.
 */
export function readTaskExamples(folder: string, limit: number): TaskExample[] {
  const file = path.join(folder, 'task', 'test.jsonl');
  if (!fs.existsSync(file)) return [];
  const examples: TaskExample[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let index = 0; index < lines.length && examples.length < limit; index++) {
    const line = lines[index]!.trim();
    if (!line) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = TaskExampleSchema.safeParse({ index, prompt: record.prompt, options: record.options, answer: record.answer });
    if (parsed.success) examples.push(parsed.data);
  }
  return examples;
}
