import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LoadedModel } from '../../src/main/engine/model/load-model';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/models');

export function fixturePath(name: string): string {
  return path.join(FIXTURES, name);
}

const loaded = new Map<string, Promise<LoadedModel>>();

/** Loads a fixture model once per test file. */
export function fixtureModel(name: string): Promise<LoadedModel> {
  let model = loaded.get(name);
  if (!model) {
    model = loadModel(fixturePath(name));
    loaded.set(name, model);
  }
  return model;
}

export const GOOD_FIXTURES = [
  'lab-tiny',
  'hf-gpt2-tiny',
  'hf-llama-tiny',
  'hf-merged-tiny',
  'lab-bigram-tiny',
] as const;
