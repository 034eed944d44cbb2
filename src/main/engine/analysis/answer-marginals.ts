import type { AnswerMarginal } from '../../../shared/analysis';
import { toLogValue } from '../../../shared/analysis';
import { logSumExp } from '../math/log-softmax';
import type { SearchContext } from '../search/search-context';
import { massOf } from '../strategies/bfs-level';

/** A finished state of an explored lattice: its continuation and the log of the mass of every path into it. */
export interface FinishedState {
  text: string;
  endedWithEos: boolean;
  logMass: number;
}

/**
 * The probability of each final answer summed over every finished path of the explored lattice: finished states
 * grouped by the answer the task's checker extracts (null: malformed), their masses added. Most probable first
 * (ties: by answer text, malformed last).
 */
export function answerMarginals(
  states: readonly FinishedState[],
  answerOf: (text: string, endedWithEos: boolean) => string | null,
): AnswerMarginal[] {
  const groups = new Map<string | null, number[]>();
  for (const s of states) {
    const answer = answerOf(s.text, s.endedWithEos);
    const list = groups.get(answer);
    if (list) list.push(s.logMass);
    else groups.set(answer, [s.logMass]);
  }
  return [...groups.entries()]
    .map(([answer, masses]) => {
      const logMass = logSumExp(masses);
      return { answer, logMass: toLogValue(logMass), probability: Math.exp(logMass), states: masses.length };
    })
    .sort(
      (a, b) =>
        b.probability - a.probability ||
        (a.answer === null ? 1 : b.answer === null ? -1 : a.answer < b.answer ? -1 : 1),
    );
}

/** The answer with the most mass, malformed continuations left out (null when every finished state is malformed). */
export function maxMarginalAnswer(marginals: readonly AnswerMarginal[]): string | null {
  return marginals.find((m) => m.answer !== null)?.answer ?? null;
}

/** A finished node of a search tree as a finished state: its decoded continuation and its forward mass. */
export function finishedState(ctx: Pick<SearchContext, 'tree' | 'model' | 'eosIds'>, nodeId: number): FinishedState {
  const tokens = ctx.tree.pathTokens(nodeId);
  const node = ctx.tree.node(nodeId);
  const last = tokens[tokens.length - 1];
  return {
    text: tokens.length > 0 ? ctx.model.tokenizer.decode(tokens, true) : '',
    endedWithEos: last !== undefined && ctx.eosIds.has(last),
    logMass: massOf(node),
  };
}
