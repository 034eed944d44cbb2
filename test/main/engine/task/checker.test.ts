import { describe, expect, it } from 'vitest';
import { checkAnswer, taskJudge } from '../../../../src/main/engine/task/checker';
import { edgeKey, type Ontology, type TaskRecord } from '../../../../src/main/engine/task/task-files';

// wumpus → yumpus → zhorpus, wumpus → dumpus; gerpus is unreachable from wumpus
const layers = [
  ['wumpus', 'gerpus'],
  ['yumpus', 'dumpus'],
  ['zhorpus', 'lempus'],
];
const edges: [string, string][] = [
  ['wumpus', 'yumpus'],
  ['wumpus', 'dumpus'],
  ['yumpus', 'zhorpus'],
  ['gerpus', 'lempus'],
];
const ontology: Ontology = {
  layers,
  concepts: new Set(layers.flat()),
  edges: new Set(edges.map(([a, b]) => edgeKey(a, b))),
};
const record = {
  prompt: 'tom is a wumpus . question : is tom a zhorpus or a lempus ?',
  person: 'tom',
  start: 'wumpus',
  options: ['zhorpus', 'lempus'],
  answer: 'zhorpus',
  distractor: 'lempus',
  hops: 2,
  chain: ['wumpus', 'yumpus', 'zhorpus'],
  target: 'every wumpus is a yumpus . every yumpus is a zhorpus . answer : tom is a zhorpus .',
  steps: [],
} as TaskRecord;

describe('task checker', () => {
  it('accepts the reference chain as correct and valid', () => {
    expect(checkAnswer(ontology, record, record.target, true)).toMatchObject({
      verdict: 'correct',
      chainValid: true,
      answer: 'zhorpus',
    });
  });

  it('a correct answer with a broken chain is correct but not valid', () => {
    const text = 'every wumpus is a dumpus . every dumpus is a zhorpus . answer : tom is a zhorpus .';
    expect(checkAnswer(ontology, record, text, true)).toMatchObject({ verdict: 'correct', chainValid: false });
    expect(checkAnswer(ontology, record, 'answer : tom is a zhorpus .', true)).toMatchObject({
      verdict: 'correct',
      chainValid: false,
    });
  });

  it('the distractor, or a concept off the options, is incorrect', () => {
    const distractor = checkAnswer(ontology, record, 'every gerpus is a lempus . answer : tom is a lempus .', true);
    expect(distractor).toMatchObject({
      verdict: 'incorrect',
      answer: 'lempus',
      answerInOptions: true,
      chainValid: false,
    });
    expect(checkAnswer(ontology, record, 'answer : tom is a yumpus .', true)).toMatchObject({
      verdict: 'incorrect',
      answerInOptions: false,
    });
  });

  it('no EOS, extra words, the wrong person or a non-concept are malformed', () => {
    expect(checkAnswer(ontology, record, record.target, false)).toMatchObject({
      verdict: 'malformed',
      reason: 'no eos',
    });
    expect(checkAnswer(ontology, record, `${record.target} every`, true)).toMatchObject({
      verdict: 'malformed',
      reason: 'grammar',
    });
    expect(checkAnswer(ontology, record, 'answer : ann is a zhorpus .', true)).toMatchObject({
      verdict: 'malformed',
      reason: 'wrong person',
    });
    expect(checkAnswer(ontology, record, 'every wumpus is a tom . answer : tom is a zhorpus .', true).verdict).toBe(
      'malformed',
    );
    expect(checkAnswer(ontology, record, '', true).verdict).toBe('malformed');
  });

  it('after continuous thoughts, judges from the first complete sentence', () => {
    const judge = taskJudge(ontology, record);
    const resumed = 'is a yumpus . every yumpus is a zhorpus . answer : tom is a zhorpus .';
    expect(judge({ text: resumed, endedWithEos: true, afterThoughts: true })).toEqual({
      verdict: 'correct',
      chainValid: null,
      answer: 'zhorpus',
    });
    expect(judge({ text: resumed, endedWithEos: true, afterThoughts: false }).verdict).toBe('malformed');
    expect(judge({ text: 'answer : tom is a lempus .', endedWithEos: true, afterThoughts: true }).verdict).toBe(
      'incorrect',
    );
    // written facts are judged as a chain; latent facts are not applicable (null), whatever the answer
    expect(judge({ text: record.target, endedWithEos: true, afterThoughts: false }).chainValid).toBe(true);
    expect(
      judge({ text: 'answer : tom is a lempus .', endedWithEos: true, afterThoughts: true }).chainValid,
    ).toBeNull();
  });
});
