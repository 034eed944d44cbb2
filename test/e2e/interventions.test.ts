/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import type { TreeNode } from '../../src/shared/tree';
import {
  CHROMIUM,
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

/** Selects a node of a run's tree as a click on it would. */
function tap(runId: string, nodeId: number) {
  return page.evaluate(
    ([id, n]) => {
      const container = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
        _cyreg: { cy: import('cytoscape').Core };
      };
      container._cyreg.cy.$id(`n${n}`).emit('tap');
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
    const [example] = await api.request('taskExamples', { limit: 1 });
    const { runId } = await api.request('startRun', {
      prompt: example!.prompt,
      taskIndex: 0,
      config: { strategy: 'greedy', topkShown: 3 },
    });
    await page.waitForSelector(`[data-testid=run-view][data-run-id="${runId}"][data-state=done]`);
    const source = (await api.request('listRuns', {})).find((r) => r.runId === runId)!;
    const { tree: sourceTree } = await api.request('getTree', { runId });
    // the node four tokens into the answer
    const path: number[] = [];
    for (
      let n = source.result!.nBest[0]!.nodeId;
      sourceTree.nodes[n]!.parents.length > 0;
      n = sourceTree.nodes[n]!.parents[0]!
    )
      path.unshift(n);
    const forkAt = path[3]!;
    await tap(runId, forkAt);
    await page.waitForSelector(`[data-testid=inspector][data-node-id="${forkAt}"]`);

    await page.click('[data-testid=fork-box] summary');
    await page.selectOption('[data-testid=fork-intervention-direction]', 'flilkpus-minus-flaipus.json');
    await page.locator('[data-testid=fork-intervention-scale]').evaluate((el: HTMLInputElement) => {
      el.value = '0.5';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await shots('fork-form');
    await page.click('[data-testid=fork-button]');
    await page.waitForFunction(() =>
      /started run-/.test(document.querySelector('[data-testid=fork-status]')?.textContent ?? ''),
    );
    const forkId = (await page.textContent('[data-testid=fork-status]'))!.replace('started ', '').trim();
    await page.waitForSelector(`[data-testid=run-view][data-run-id="${forkId}"][data-state=done]`);
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
    const forkSummary = (await api.request('listRuns', {})).find((r) => r.runId === forkId)!;
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
    const { runId } = await api.request('startRun', {
      prompt: example!.prompt,
      config: { strategy: 'latent', mode: 'mixture', thoughts: 2, maxNewTokens: 12, topkShown: 3 },
    });
    await page.waitForSelector(`[data-testid=run-view][data-run-id="${runId}"][data-state=done]`);
    const { tree: sourceTree } = await api.request('getTree', { runId });
    const thought = sourceTree.order.filter((id) => sourceTree.nodes[id]!.kind === 'thought').at(-1)!;
    await tap(runId, thought);
    await page.waitForSelector(`[data-testid=inspector][data-node-id="${thought}"]`);

    if (!(await page.locator('[data-testid=fork-box]').evaluate((d: HTMLDetailsElement) => d.open)))
      await page.click('[data-testid=fork-box] summary');
    await page.selectOption('[data-testid=fork-intervention-direction]', 'flilkpus-minus-flaipus.json');
    await page.locator('[data-testid=fork-intervention-scale]').evaluate((el: HTMLInputElement) => {
      el.value = '0.5';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.selectOption('[data-testid=fork-strategy]', 'greedy');
    await shots('fork-thought-form');
    // the inspector's fork box may still show the first test's status
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
    const fork = (await api.request('listRuns', {})).find((r) => r.runId === forkId)!;
    expect(fork.error).toBeUndefined();

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
});
