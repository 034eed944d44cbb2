import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

/** One line of task/test.jsonl (written by scripts/task; see its README for the fields). */
export const TaskRecordSchema = z.object({
  prompt: z.string(),
  person: z.string(),
  start: z.string(),
  options: z.array(z.string()).length(2),
  answer: z.string(),
  distractor: z.string(),
  hops: z.number().int(),
  chain: z.array(z.string()),
  target: z.string(),
  steps: z.array(
    z.object({
      t: z.number().int(),
      depth: z.number().int(),
      concept: z.string(),
      frontier: z.array(z.string()),
      on_path: z.array(z.string()),
      valid_next: z.array(z.string()),
    }),
  ),
});
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

export const OntologySchema = z.object({
  layers: z.array(z.array(z.string())),
  edges: z.array(z.tuple([z.string(), z.string()])),
});

/** The ontology as the checker uses it: concept words and the set of edges. */
export interface Ontology {
  concepts: Set<string>;
  edges: Set<string>;
  layers: string[][];
}

export const edgeKey = (from: string, to: string) => `${from}>${to}`;

export interface TaskFiles {
  ontology: Ontology;
  test: TaskRecord[];
}

/** A model folder's task/ files, or null when the model ships none. */
export function loadTaskFiles(modelFolder: string): TaskFiles | null {
  const dir = path.join(modelFolder, 'task');
  const ontologyFile = path.join(dir, 'ontology.json');
  const testFile = path.join(dir, 'test.jsonl');
  if (!fs.existsSync(ontologyFile) || !fs.existsSync(testFile)) return null;
  const raw = OntologySchema.parse(JSON.parse(fs.readFileSync(ontologyFile, 'utf8')));
  const ontology: Ontology = {
    layers: raw.layers,
    concepts: new Set(raw.layers.flat()),
    edges: new Set(raw.edges.map(([a, b]) => edgeKey(a, b))),
  };
  const test = fs
    .readFileSync(testFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const parsed = TaskRecordSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${testFile}:${i + 1}: ${parsed.error.issues[0]!.message}`);
      return parsed.data;
    });
  return { ontology, test };
}
