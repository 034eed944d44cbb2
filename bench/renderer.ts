/// <reference lib="dom" />
/**
 * Renderer benchmark (`npm run bench:renderer`): in headless Chromium, the real renderer bundle drawing
 * (1) a 10,000-node tree from a single snapshot — transfer, patch, tidy layout, Cytoscape add, first
 * paint — and (2) 1,000 patch messages streamed one node at a time. The LabApi behind the page is a
 * stand-in that emits synthetic trees, so the numbers are the renderer's alone. Prints numbers only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Patch } from 'immer';
import { startServeServer, type LabEndpoint } from '../src/main/serve/serve-server';
import type { LabEventListener } from '../src/main/engine-host/lab-service';
import type { RunSummary } from '../src/shared/lab-api';
import type { ModelInfo } from '../src/shared/model';
import { layoutTree } from '../src/renderer/src/lib/tree/layout';
import { LiveTree } from '../src/shared/tree-sync';
import { beamShapedTree } from './synthetic-tree';
import { ROOT, buildApp, launchChromium } from '../test/e2e/serve-harness';

const TREE_SIZE = 10_000;
const STREAMED = 1_000;

const model: ModelInfo = {
  folder: '/bench', name: 'bench', convention: 'lab', graphFile: 'none', family: 'bench', numLayers: 1, numHeads: 1, numKvHeads: 1,
  headDim: 1, hiddenSize: 1, vocabSize: 1000, kvDtype: 'float32', bosTokenId: 0, eosTokenIds: [0],
  capabilities: { inputsEmbeds: false, lastHiddenState: false, hiddenStates: false, embeddings: false, logitLens: false, residualDelta: false, ablation: false },
  inputs: [], outputs: [],
};

/** A LabApi stand-in: answers what the page asks at startup and lets the benchmark push runs. */
class SyntheticLab implements LabEndpoint {
  private readonly listeners = new Set<LabEventListener>();
  async request(name: unknown): Promise<unknown> {
    switch (name) {
      case 'openModel': return model;
      case 'taskExamples': case 'listRuns': return [];
      case 'inspectNode': return { pathText: '', lens: null };
      case 'removeRun': return { removed: true };
      default: throw new Error(`the benchmark does not serve ${String(name)}`);
    }
  }
  on(listener: LabEventListener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit: LabEventListener = (event, payload) => {
    for (const l of this.listeners) l(event, payload);
  };
}

const summary = (runId: string, state: RunSummary['state']): RunSummary => ({
  runId, label: runId, prompt: 'bench', config: { strategy: 'greedy', maxNewTokens: 1, topkShown: 0 }, state,
  ...(state === 'done' ? { result: { bestText: '', bestScore: null, nBest: [], cancelled: false } } : {}),
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main() {
  if (!process.argv.includes('--no-build') || !fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) buildApp();
  const lab = new SyntheticLab();
  const server = await startServeServer({ service: lab, rendererDir: path.join(ROOT, 'out', 'renderer') });
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=model-info]');

  const tree = beamShapedTree(TREE_SIZE);
  // Node-side reference: the layout alone.
  const layoutTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    layoutTree(tree, undefined, 1);
    layoutTimes.push(performance.now() - t);
  }

  // (1) a 10,000-node snapshot: from the event leaving the server to the frame after Cytoscape has it.
  const snapshotTimes: number[] = [];
  for (let i = 0; i < 3; i++) {
    const runId = `big-${i}`;
    const started = performance.now();
    lab.emit('runStarted', summary(runId, 'running'));
    lab.emit('runPatches', { runId, seq: 0, patches: [{ op: 'replace', path: [], value: tree }] });
    lab.emit('runFinished', summary(runId, 'done'));
    await page.waitForFunction(
      ([id, n]) => document.querySelector(`[data-run-id="${id}"][data-testid=run-view]`)?.getAttribute('data-drawn') === String(n),
      [runId, TREE_SIZE] as const,
      { polling: 'raf', timeout: 120_000 },
    );
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    snapshotTimes.push(performance.now() - started);
    if (i === 0) {
      // Zoomed in, a big tree shows its labels again (see the screenshots under test/artifacts).
      await page.screenshot({ path: path.join(ROOT, 'test', 'artifacts', 'bench-10k.png') });
      // the arrow keys select and zoom in to reading size
      await page.locator(`[data-run-id="${runId}"] .canvas`).focus();
      for (let k = 0; k < 6; k++) await page.keyboard.press('ArrowRight');
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(ROOT, 'test', 'artifacts', 'bench-10k-zoomed.png') });
    }
    await page.locator(`[data-run-id="${runId}"] button[aria-label="Remove run"]`).click();
    await page.waitForSelector(`[data-run-id="${runId}"][data-testid=run-view]`, { state: 'detached' });
  }

  // (2) 1,000 patch messages, one new node each (and its parent's status), sent back to back.
  const runId = 'stream';
  const root = beamShapedTree(1, 1, 1);
  lab.emit('runStarted', summary(runId, 'running'));
  lab.emit('runPatches', { runId, seq: 0, patches: [{ op: 'replace', path: [], value: root }] });
  const messages: Patch[][] = [];
  for (let i = 1; i <= STREAMED; i++) {
    const parent = Math.floor((i - 1) / 3);
    messages.push([
      { op: 'replace', path: ['nodes', parent, 'status'], value: 'expanded' },
      { op: 'add', path: ['nodes', i], value: { id: i, parents: [parent], kind: 'token', tokenId: i % 3, text: `t${i}`, logprob: -0.5, score: -0.5, depth: 0, status: 'frontier' } },
      { op: 'add', path: ['order', i], value: i },
    ]);
  }
  const streamStart = performance.now();
  messages.forEach((patches, i) => lab.emit('runPatches', { runId, seq: i + 1, patches }));
  await page.waitForFunction(
    (n) => document.querySelector('[data-run-id="stream"][data-testid=run-view]')?.getAttribute('data-drawn') === String(n),
    STREAMED + 1,
    { polling: 'raf', timeout: 120_000 },
  );
  const streamed = performance.now() - streamStart;

  // (3) live growth: a 10,000-node tree arriving as ~30 messages a second (the engine's batching), while
  // the page must stay responsive: the longest main-thread task says how long a click could wait.
  await page.evaluate(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longest = Math.max(w.longest, entry.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const growId = 'grow';
  const grown = beamShapedTree(TREE_SIZE);
  lab.emit('runStarted', summary(growId, 'running'));
  lab.emit('runPatches', { runId: growId, seq: 0, patches: [{ op: 'replace', path: [], value: { rootId: 0, nodes: { 0: grown.nodes[0]! }, order: [0] } }] });
  const perMessage = Math.ceil(TREE_SIZE / 330);
  const growStart = performance.now();
  let seq = 1;
  for (let from = 1; from < TREE_SIZE; from += perMessage) {
    const patches: Patch[] = [];
    for (let id = from; id < Math.min(TREE_SIZE, from + perMessage); id++) {
      patches.push({ op: 'add', path: ['nodes', id], value: grown.nodes[id]! }, { op: 'add', path: ['order', id], value: id });
    }
    lab.emit('runPatches', { runId: growId, seq: seq++, patches });
    await new Promise((r) => setTimeout(r, 33));
  }
  const lastSent = performance.now();
  await page.waitForFunction(
    (n) => document.querySelector('[data-run-id="grow"][data-testid=run-view]')?.getAttribute('data-drawn') === String(n),
    TREE_SIZE,
    { polling: 'raf', timeout: 120_000 },
  );
  const caughtUp = performance.now() - lastSent;
  const longest = await page.evaluate(() => (window as unknown as { longest: number }).longest);
  const growSeconds = (lastSent - growStart) / 1000;

  // Node-side reference: applying the same 1,000 messages to a LiveTree.
  const live = new LiveTree();
  const applyStart = performance.now();
  live.applyMessage(0, [{ op: 'replace', path: [], value: structuredClone(root) }]);
  messages.forEach((patches, i) => live.applyMessage(i + 1, structuredClone(patches)));
  const applied = performance.now() - applyStart;

  console.log(`tidy layout of ${TREE_SIZE} nodes (Node, median of 5): ${median(layoutTimes).toFixed(1)} ms`);
  console.log(`${TREE_SIZE}-node tree to first paint in Chromium (median of 3): ${median(snapshotTimes).toFixed(0)} ms  [${snapshotTimes.map((t) => t.toFixed(0)).join(', ')}]`);
  console.log(`${STREAMED} streamed patch messages applied and drawn in Chromium: ${streamed.toFixed(0)} ms`);
  console.log(`${STREAMED} patch messages applied to a LiveTree (Node, no drawing): ${applied.toFixed(1)} ms`);
  console.log(`live growth to ${TREE_SIZE} nodes in ${seq - 1} messages over ${growSeconds.toFixed(1)} s: drawn ${caughtUp.toFixed(0)} ms after the last message; longest main-thread task ${longest.toFixed(0)} ms`);

  await browser.close();
  await server.close();
}

await main();
