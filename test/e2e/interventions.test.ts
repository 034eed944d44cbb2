/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import type { TreeNode, TreeState } from '../../src/shared/tree';
import type { LabParams, RunSummary } from '../../src/shared/lab-api';
import {
  CHROMIUM,
  ARTIFACTS,
  ROOT,
  apiClient,
  closeLab,
  launchChromium,
  openLab,
  screenshotBothSizes,
  type ServeProcess,
} from './serve-harness';

/** Fork a node under a direction in Chromium: both branches in one tree, and the Δlogprob in the inspector. */
let serve: ServeProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof apiClient>>;
const pageErrors: string[] = [];
const COT = path.join(ROOT, 'resources', 'models', 'ontology-cot');

vi.setConfig({ testTimeout: 400_000, hookTimeout: 300_000 });
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`interventions.test.ts: skipped: no Chromium at ${CHROMIUM} (set LATTICE_LAB_CHROMIUM)`);

const shots = (name: string) => screenshotBothSizes(page, `interventions-${name}`);

/** Selects a node of a run's tree as a click on it would, once the view has drawn it. */
async function tap(runId: string, nodeId: number) {
  await page.waitForFunction(
    ([id, n]) => {
      const container = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
        _cyreg?: { cy: import('cytoscape').Core };
      } | null;
      const node = container?._cyreg?.cy.$id(`n${n}`);
      if (!node || node.length === 0) return false;
      node.emit('tap');
      return true;
    },
    [runId, nodeId] as const,
  );
}

function steeredDrawn(runId: string) {
  return page.evaluate((id) => {
    const container = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
      _cyreg: { cy: import('cytoscape').Core };
    };
    const cy = container._cyreg.cy;
    return {
      steered: cy.nodes('.steered').length,
      plain: cy.nodes(':not(.steered)').length,
      steeredEdges: cy.edges('.steered').length,
    };
  }, runId);
}

/** A steered token whose probability moved most: the inspector shows logprob − unsteered logprob. */
async function inspectMostMoved(forkId: string, steered: TreeNode[]) {
  const moved = steered
    .filter((n) => n.status !== 'pruned' && n.plainLogprob !== undefined)
    .sort((a, b) => Math.abs(b.logprob - b.plainLogprob!) - Math.abs(a.logprob - a.plainLogprob!))[0]!;
  expect(Math.abs(moved.logprob - moved.plainLogprob!)).toBeGreaterThan(1e-3);
  await tap(forkId, moved.id);
  await page.waitForSelector(`[data-testid=inspector][data-node-id="${moved.id}"]`);
  const delta = Number(await page.getAttribute('[data-testid=inspector-delta-logprob]', 'data-value'));
  expect(delta).toBe(moved.logprob - moved.plainLogprob!);
}

/** The best hypothesis's path below the prompt, in order. */
function bestPath(tree: TreeState, summary: RunSummary): number[] {
  const ids: number[] = [];
  for (let n = summary.result!.nBest[0]!.nodeId; tree.nodes[n]!.parents.length > 0; n = tree.nodes[n]!.parents[0]!)
    ids.unshift(n);
  return ids;
}

async function summaryOf(runId: string): Promise<RunSummary> {
  return (await api.request('listRuns', {})).find((r) => r.runId === runId)!;
}

/** Runs a strategy through the LabApi and waits until the app shows it finished. */
async function finishedRun(params: LabParams<'startRun'>) {
  const { runId } = await api.request('startRun', params);
  await page.waitForSelector(`[data-testid=run-view][data-run-id="${runId}"][data-state=done]`);
  const { tree } = await api.request('getTree', { runId });
  return { runId, tree, summary: await summaryOf(runId) };
}

/** Greedy on test example 0, and the node four tokens into its answer (where the forks grow from). */
async function greedySource() {
  const [example] = await api.request('taskExamples', { limit: 1 });
  const run = await finishedRun({
    prompt: example!.prompt,
    taskIndex: 0,
    config: { strategy: 'greedy', topkShown: 3 },
  });
  return { ...run, forkAt: bestPath(run.tree, run.summary)[3]! };
}

/** Selects a node, opens the inspector's fork box and sets the bundled direction at scale 0.5 and a strategy. */
async function fillForkBox(runId: string, nodeId: number, strategy?: string, shot?: string) {
  await tap(runId, nodeId);
  await page.waitForSelector(`[data-testid=inspector][data-node-id="${nodeId}"]`);
  if (!(await page.locator('[data-testid=fork-box]').evaluate((d: HTMLDetailsElement) => d.open)))
    await page.click('[data-testid=fork-box] summary');
  await page.selectOption('[data-testid=fork-intervention-direction]', 'flilkpus-minus-flaipus.json');
  await page.locator('[data-testid=fork-intervention-scale]').evaluate((el: HTMLInputElement) => {
    el.value = '0.5';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  // '' forks with the run's own settings (the box keeps its choice from node to node)
  await page.selectOption('[data-testid=fork-strategy]', strategy ?? '');
  if (shot) await shots(shot);
}

/** Clicks "Fork here" and waits for the fork to finish; returns its run id. */
async function forkFromBox(): Promise<string> {
  // the inspector's fork box may still show an earlier fork's status
  const before =
    (await page
      .locator('[data-testid=fork-status]')
      .textContent({ timeout: 1000 })
      .catch(() => '')) ?? '';
  await page.click('[data-testid=fork-button]');
  await page.waitForFunction((previous) => {
    const text = document.querySelector('[data-testid=fork-status]')?.textContent ?? '';
    return /started run-/.test(text) && text !== previous;
  }, before);
  const forkId = (await page.textContent('[data-testid=fork-status]'))!.replace('started ', '').trim();
  await page.waitForSelector(`[data-testid=run-view][data-run-id="${forkId}"][data-state=done]`);
  return forkId;
}

beforeAll(async () => {
  if (!haveChromium) return;
  ({ serve, browser, page, api } = await openLab({ LATTICE_LAB_MODEL: COT }, pageErrors));
  page.setDefaultTimeout(120_000);
  await page.goto(serve.url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
  await page.waitForSelector('[data-testid=model-info]', { timeout: 180_000 });
}, 400_000);

afterAll(() => closeLab({ api, browser, serve }));

describe.skipIf(!haveChromium)('interventions on screen (serve mode, Chromium)', () => {
  it('forks a node under a direction: steered and unsteered branches side by side, Δlogprob in the inspector', async () => {
    const { runId, tree: sourceTree, forkAt } = await greedySource();
    await fillForkBox(runId, forkAt, undefined, 'fork-form');
    const forkId = await forkFromBox();
    expect(await page.textContent(`[data-testid=run-view][data-run-id="${forkId}"] [data-testid=run-title]`)).toMatch(
      /→ fork: greedy at .* · steer ×0.5 flilkpus-minus-flaipus.json/,
    );

    // both branches are in the fork's tree: the twin of the fork node and the original, under one parent
    const { tree } = await api.request('getTree', { runId: forkId });
    const steered = tree.order.map((id) => tree.nodes[id]!).filter((n) => n.intervention !== undefined);
    const twin = steered[0]!;
    expect(twin.parents).toEqual(sourceTree.nodes[forkAt]!.parents);
    const siblings = tree.order.filter((id) => tree.nodes[id]!.parents[0] === twin.parents[0]);
    expect(siblings).toContain(forkAt);
    expect(siblings).toContain(twin.id);
    // where the steered and unsteered branches part, their answers differ: the fork's parent node is a critical token
    const forkSummary = await summaryOf(forkId);
    expect(forkSummary.result!.critical!.map((c) => c.nodeId)).toContain(twin.parents[0]);
    expect(
      Number(await page.textContent(`[data-testid=compare-row][data-run-id="${forkId}"] [data-testid=cell-critical]`)),
    ).toBe(forkSummary.result!.critical!.length);
    const drawn = await steeredDrawn(forkId);
    expect(drawn.steered).toBeGreaterThan(3);
    expect(drawn.plain).toBeGreaterThan(3);
    expect(drawn.steeredEdges).toBe(drawn.steered);

    await inspectMostMoved(forkId, steered);
    expect(await page.textContent('[data-testid=inspector-intervention]')).toContain(
      'steer ×0.5 flilkpus-minus-flaipus.json',
    );
    // the lens of the modified stream arrives
    await page.waitForSelector('[data-testid=inspector-lens]', { timeout: 120_000 });
    await shots('fork-inspector');
    expect(pageErrors).toEqual([]);
  });

  it('forks a thought node under a direction: a steered twin thought, Δlogprob and the lens after it', async () => {
    const [example] = await api.request('taskExamples', { limit: 1 });
    const { runId, tree: sourceTree } = await finishedRun({
      prompt: example!.prompt,
      config: { strategy: 'latent', mode: 'mixture', thoughts: 2, maxNewTokens: 12, topkShown: 3 },
    });
    const thought = sourceTree.order.filter((id) => sourceTree.nodes[id]!.kind === 'thought').at(-1)!;
    await fillForkBox(runId, thought, 'greedy', 'fork-thought-form');
    const forkId = await forkFromBox();
    expect((await summaryOf(forkId)).error).toBeUndefined();

    // the twin is a thought beside the source's, marked; the answer grown after it knows its unsteered log-probability
    const { tree } = await api.request('getTree', { runId: forkId });
    const twin = tree.nodes[sourceTree.order.length]!;
    expect(twin.kind).toBe('thought');
    expect(twin.parents).toEqual(sourceTree.nodes[thought]!.parents);
    expect(twin.intervention).toMatch(/steer ×0.5 flilkpus-minus-flaipus.json/);
    await inspectMostMoved(
      forkId,
      tree.order.map((id) => tree.nodes[id]!).filter((n) => n.intervention !== undefined),
    );
    await page.waitForSelector('[data-testid=inspector-lens]', { timeout: 120_000 });
    await shots('fork-thought-inspector');
    expect(pageErrors).toEqual([]);
  });

  it('forks a token node with the latent strategy: steered continuous thoughts grown from it, then an answer', async () => {
    const { runId, tree: sourceTree, forkAt } = await greedySource();
    await fillForkBox(runId, forkAt, 'latent');
    const settings = await page.textContent('[data-testid=fork-latent-settings]');
    await shots('fork-latent-form');
    const forkId = await forkFromBox();
    const fork = await summaryOf(forkId);
    expect(fork.error).toBeUndefined();
    expect(fork.config.strategy).toBe('latent');
    const { thoughts, mode } = fork.config as { thoughts: number; mode: string };
    // the box said what the fork would grow
    expect(settings).toMatch(new RegExp(`^\\s*${thoughts}\\s+${mode} thoughts from this node`));
    expect(await page.textContent(`[data-testid=run-view][data-run-id="${forkId}"] [data-testid=run-title]`)).toMatch(
      /→ fork: latent at .* · steer ×0.5 flilkpus-minus-flaipus.json/,
    );

    // the twin token beside the source's, then the fork's own thoughts, every new node marked
    const { tree } = await api.request('getTree', { runId: forkId });
    const fresh = tree.order.filter((id) => id >= sourceTree.order.length).map((id) => tree.nodes[id]!);
    expect(fresh.every((n) => n.intervention === 'steer ×0.5 flilkpus-minus-flaipus.json')).toBe(true);
    const twin = fresh[0]!;
    expect(twin.kind).toBe('token');
    expect(twin.tokenId).toBe(sourceTree.nodes[forkAt]!.tokenId);
    expect(twin.parents).toEqual(sourceTree.nodes[forkAt]!.parents);
    const path = bestPath(tree, fork);
    expect(path).toContain(twin.id);
    const grown = path.slice(path.indexOf(twin.id) + 1).map((id) => tree.nodes[id]!);
    expect(grown.slice(0, thoughts).map((n) => n.kind)).toEqual(Array(thoughts).fill('thought'));
    expect(grown[thoughts]!.kind).toBe('token');
    // every steered node is drawn as one (pruned leaves fold into "+k pruned" stubs)
    await expect(steeredDrawn(forkId)).resolves.toMatchObject({
      steered: fresh.filter((n) => n.status !== 'pruned').length,
    });
    await inspectMostMoved(
      forkId,
      fresh.filter((n) => n.kind === 'token'),
    );
    await shots('fork-latent-inspector');
    expect(pageErrors).toEqual([]);
  });

  it('forks a node of an imported run (Export, Import); the box is disabled, with its reason, on a run of another model', async () => {
    const { runId, summary: source } = await greedySource();
    // export this run alone
    for (const row of await page.locator('[data-testid=compare-row]').all()) {
      const mine = (await row.getAttribute('data-run-id')) === runId;
      const box = row.locator('input[type=checkbox]');
      if (await box.isEnabled()) await box.setChecked(mine);
    }
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const file = path.join(ARTIFACTS, 'interventions-export.json');
    await download.saveAs(file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(exported.runs).toHaveLength(1);

    const importFile = async (name: string) => {
      const before = new Set((await api.request('listRuns', {})).map((r) => r.runId));
      await page.setInputFiles('[data-testid=import-json]', name);
      await page.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=run-view][data-state=done]').length >= n,
        before.size + 1,
      );
      const copy = (await api.request('listRuns', {})).find((r) => !before.has(r.runId))!;
      expect(copy.imported).toBe(true);
      return copy;
    };
    const copy = await importFile(file);
    const { tree: copyTree } = await api.request('getTree', { runId: copy.runId });
    const forkAt = bestPath(copyTree, copy)[3]!;
    await fillForkBox(copy.runId, forkAt, undefined, 'fork-imported-form');
    expect(await page.getAttribute('[data-testid=fork-box]', 'data-blocked')).toBeNull();
    const forkId = await forkFromBox();
    const fork = await summaryOf(forkId);
    expect(fork.error).toBeUndefined();
    expect(fork.forkOf).toEqual({ runId: copy.runId, nodeId: forkAt });
    // "as this run": the imported copy's own settings
    expect(fork.config).toEqual(copy.config);

    // the steered branch stands beside the imported one, and its first token's Δlogprob is against it
    const { tree } = await api.request('getTree', { runId: forkId });
    const steered = tree.order.map((id) => tree.nodes[id]!).filter((n) => n.intervention !== undefined);
    const twin = steered[0]!;
    expect(twin.parents).toEqual(copyTree.nodes[forkAt]!.parents);
    expect(twin.plainLogprob).toBe(copyTree.nodes[forkAt]!.logprob);
    expect(tree.order.filter((id) => tree.nodes[id]!.parents[0] === twin.parents[0])).toContain(forkAt);
    expect(fork.result!.bestText).not.toBe(source.result!.bestText);
    const drawn = await steeredDrawn(forkId);
    expect(drawn.steered).toBe(steered.filter((n) => n.status !== 'pruned').length);
    expect(drawn.steeredEdges).toBe(drawn.steered);
    await inspectMostMoved(forkId, steered);
    await shots('fork-imported-inspector');

    // the same file, as if another model had made it: the box says why it cannot fork
    const other = path.join(ARTIFACTS, 'interventions-export-other-model.json');
    fs.writeFileSync(other, JSON.stringify({ ...exported, model: { ...exported.model, name: 'another-model' } }));
    const foreign = await importFile(other);
    expect(foreign.model).toBe('another-model');
    await tap(foreign.runId, forkAt);
    await page.waitForSelector(`[data-testid=inspector][data-node-id="${forkAt}"]`);
    expect(await page.getAttribute('[data-testid=fork-box]', 'data-blocked')).toBe(
      'made with another-model: open that model to fork it',
    );
    expect(await page.textContent('[data-testid=fork-blocked]')).toContain('made with another-model');
    if (!(await page.locator('[data-testid=fork-box]').evaluate((d: HTMLDetailsElement) => d.open)))
      await page.click('[data-testid=fork-box] summary');
    expect(await page.isDisabled('[data-testid=fork-button]')).toBe(true);
    expect(await page.isDisabled('[data-testid=fork-strategy]')).toBe(true);
    await shots('fork-blocked');
    expect(pageErrors).toEqual([]);
  });

  it('restarts the engine from the header: a confirm while a run is in progress, earlier runs kept, ready again', async () => {
    const [example] = await api.request('taskExamples', { limit: 1 });
    const earlier = (await api.request('listRuns', {})).filter((r) => r.state === 'done');
    expect(earlier.length).toBeGreaterThan(0);
    expect(await page.isEnabled('[data-testid=restart-engine]')).toBe(true);

    // a run long enough to be in progress at both presses of the button, screenshots between them
    // included: ~50 s on these machines (a 256-wide run took 3 s and could end before the second press);
    // the restart ends it
    const { runId } = await api.request('startRun', {
      prompt: example!.prompt,
      config: { strategy: 'bfs', width: 2048, topK: 64, maxNewTokens: 100, topkShown: 3, merge: { kind: 'none' } },
    });
    await page.waitForSelector(`[data-testid=run-view][data-run-id="${runId}"][data-state=running]`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=engine-status]')?.textContent === 'engine: busy',
    );
    // the confirm's text, answered; a restart that asked nothing fails here rather than hanging
    const answer = (accept: boolean) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no confirm was shown')), 15_000);
        page.once('dialog', (dialog) => {
          clearTimeout(timer);
          resolve(dialog.message());
          void (accept ? dialog.accept() : dialog.dismiss());
        });
      });
    // declined: nothing happens
    let asked = answer(false);
    await page.click('[data-testid=restart-engine]');
    expect(await asked).toMatch(/^Restarting the engine stops 1 run in progress/);
    expect((await summaryOf(runId)).state).toBe('running');
    await shots('restart-busy');

    expect((await summaryOf(runId)).state).toBe('running');
    asked = answer(true);
    await page.click('[data-testid=restart-engine]');
    await asked;
    await page.waitForSelector(`[data-testid=run-view][data-run-id="${runId}"][data-state=failed]`);
    expect((await summaryOf(runId)).error).toMatch(/restarted by the user/);
    await page.waitForFunction(
      () => document.querySelector('[data-testid=engine-status]')?.textContent === 'engine: restarted',
    );
    // the runs finished before are all still there, unchanged
    const after = await api.request('listRuns', {});
    for (const run of earlier) {
      expect(after.find((r) => r.runId === run.runId)).toEqual(run);
      expect(await page.getAttribute(`[data-testid=run-view][data-run-id="${run.runId}"]`, 'data-state')).toBe('done');
    }
    // the fresh engine runs: a run finishes and the engine is ready again
    const again = await finishedRun({ prompt: example!.prompt, config: { strategy: 'greedy', maxNewTokens: 4 } });
    expect(again.summary.error).toBeUndefined();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=engine-status]')?.textContent === 'engine: ready',
    );
    await shots('restart-ready');
    expect(pageErrors).toEqual([]);
  });
});
