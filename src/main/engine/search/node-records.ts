import { logprobAt, topTokenIds, type LogitDistribution } from '../math/log-softmax';
import { addNode, type NewNode, type TreeDraft } from '../tree/tree-store';
import type { NodeEvaluation } from '../runtime/evaluator';
import type { NodeStatus, TopToken } from '../../../shared/tree';
import type { LabTokenizer } from '../model/tokenizer';

export function topTokens(logprobs: ArrayLike<number>, k: number, tokenizer: LabTokenizer): TopToken[] {
  return topTokensOf({ logits: logprobs, max: 0, logSum: 0 }, k, tokenizer);
}

/** The k most likely next tokens of a distribution, with their text. */
function topTokensOf(d: LogitDistribution, k: number, tokenizer: LabTokenizer): TopToken[] {
  return topTokenIds(d, k).map((tokenId) => ({
    tokenId,
    text: tokenizer.tokenText(tokenId).text,
    logprob: logprobAt(d, tokenId),
  }));
}

/** Stores what an evaluation tells about its node: the entropy and the best next tokens. */
export function recordEvaluation(
  draft: TreeDraft,
  evaluation: NodeEvaluation,
  topkShown: number,
  tokenizer: LabTokenizer,
): void {
  const node = draft.nodes[evaluation.nodeId]!;
  node.entropy = evaluation.entropy;
  if (topkShown > 0) node.topk = topTokensOf(evaluation, topkShown, tokenizer);
  if (node.status === 'frontier') node.status = 'expanded';
}

/** A token node under `parentId`, scored as the parent's score plus the token's log-probability. */
export function addTokenChild(
  draft: TreeDraft,
  tokenizer: LabTokenizer,
  parentId: number,
  tokenId: number,
  logprob: number,
  status: NodeStatus,
): number {
  const { text, bytes } = tokenizer.tokenText(tokenId);
  const fields: NewNode = {
    parents: [parentId],
    kind: 'token',
    tokenId,
    text,
    logprob,
    score: draft.nodes[parentId]!.score + logprob,
    status,
  };
  if (bytes) fields.bytes = bytes;
  return addNode(draft, fields);
}
