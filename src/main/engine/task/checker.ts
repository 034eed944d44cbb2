import type { TaskVerdict } from '../../../shared/run';
import type { JudgedAnswer } from '../search/run-search';
import { edgeKey, type Ontology, type TaskRecord } from './task-files';

export interface CheckResult extends TaskVerdict {
  facts: [string, string][];
  answerInOptions: boolean;
  reason: string | null;
}

/**
 * Scores a continuation of a task prompt, with the rules of scripts/task (task/README.md):
 * fact* "answer" ":" PERSON "is" "a" Z "."  where fact = "every" X "is" "a" Y "." and X, Y, Z are concepts.
 * Malformed: no EOS, or anything off the grammar, or the wrong person. Correct: Z is the reachable option.
 * The chain is valid when there is at least one fact, each is an ontology edge, they are consecutive, and they
 * lead from the start concept to Z.
 */
export function checkAnswer(ontology: Ontology, record: TaskRecord, text: string, finished: boolean): CheckResult {
  const result: CheckResult = {
    verdict: 'malformed',
    chainValid: false,
    answer: null,
    facts: [],
    answerInOptions: false,
    reason: null,
  };
  if (!finished) return { ...result, reason: 'no eos' };
  const isConcept = (w: string | undefined) => w !== undefined && ontology.concepts.has(w);
  const w = text.split(/\s+/).filter((x) => x !== '');
  let i = 0;
  while (
    i + 6 <= w.length &&
    w[i] === 'every' &&
    isConcept(w[i + 1]) &&
    w[i + 2] === 'is' &&
    w[i + 3] === 'a' &&
    isConcept(w[i + 4]) &&
    w[i + 5] === '.'
  ) {
    result.facts.push([w[i + 1]!, w[i + 4]!]);
    i += 6;
  }
  const tail = w.slice(i);
  if (
    tail.length !== 7 ||
    tail[0] !== 'answer' ||
    tail[1] !== ':' ||
    tail[3] !== 'is' ||
    tail[4] !== 'a' ||
    !isConcept(tail[5]) ||
    tail[6] !== '.'
  ) {
    return { ...result, reason: 'grammar' };
  }
  if (tail[2] !== record.person) return { ...result, reason: 'wrong person' };
  const z = tail[5]!;
  const facts = result.facts;
  const chainValid =
    facts.length > 0 &&
    facts[0]![0] === record.start &&
    facts[facts.length - 1]![1] === z &&
    facts.every(([x, y]) => ontology.edges.has(edgeKey(x, y))) &&
    facts.every((f, j) => j === facts.length - 1 || f[1] === facts[j + 1]![0]);
  return {
    ...result,
    verdict: z === record.answer ? 'correct' : 'incorrect',
    answer: z,
    answerInOptions: record.options.includes(z),
    chainValid,
  };
}

/**
 * The judge a run of a task example uses. After continuous thoughts the language resumes mid-sentence (the
 * thoughts stood for its first words), so it is judged from its first complete fact or answer sentence.
 */
export function taskJudge(ontology: Ontology, record: TaskRecord): (answer: JudgedAnswer) => TaskVerdict {
  return ({ text, endedWithEos, afterThoughts }) => {
    const judged = afterThoughts ? fromFirstSentence(text) : text;
    const { verdict, chainValid, answer } = checkAnswer(ontology, record, judged, endedWithEos);
    // the facts (some or all) were latent: the written ones cannot form a chain from the start
    return { verdict, chainValid: afterThoughts ? null : chainValid, answer };
  };
}

function fromFirstSentence(text: string): string {
  const words = text.split(/\s+/).filter((w) => w !== '');
  const start = words.findIndex((w) => w === 'every' || w === 'answer');
  return start === -1 ? text : words.slice(start).join(' ');
}
