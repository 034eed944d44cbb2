/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
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

/** Fork a continuous thought under a direction in Chromium: the steered twin thought and its answer beside the source's. */
let serve: ServeProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof apiClient>>;
const pageErrors: string[] = [];
const COT = path.join(ROOT, 'resources', 'models', 'ontology-cot');

vi.setConfig({ testTimeout: 400_000, hookTimeout: 300_000 });
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`fork-thoughts.test.ts: skipped: no Chromium at ${CHROMIUM} (set LATTICE_LAB_CHROMIUM)`);

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

beforeAll(async () => {
  if (!haveChromium) return;
  ({ serve, browser, page, api } = await openLab({ LATTICE_LAB_MODEL: COT }, pageErrors));
  page.setDefaultTimeout(120_000);
  await page.goto(serve.url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
  await page.waitForSelector('[data-testid=model-info]', { timeout: 180_000 });
}, 400_000);

afterAll(() => closeLab({ api, browser, serve }));

describe.skipIf(!haveChromium)('forks through continuous thoughts on screen (serve mode, Chromium)', () => {
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

    await page.click('[data-testid=fork-box] summary');
    await page.selectOption('[data-testid=fork-intervention-direction]', 'flilkpus-minus-flaipus.json');
    await page.locator('[data-testid=fork-intervention-scale]').evaluate((el: HTMLInputElement) => {
      el.value = '0.5';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.selectOption('[data-testid=fork-strategy]', 'greedy');
    await screenshotBothSizes(page, 'fork-thought-form');
    await page.click('[data-testid=fork-button]');
    await page.waitForFunction(() =>
      /started run-/.test(document.querySelector('[data-testid=fork-status]')?.textContent ?? ''),
    );
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
    const moved = tree.order
      .map((id) => tree.nodes[id]!)
      .filter((n) => n.intervention !== undefined && n.status !== 'pruned' && n.plainLogprob !== undefined)
      .sort((a, b) => Math.abs(b.logprob - b.plainLogprob!) - Math.abs(a.logprob - a.plainLogprob!))[0]!;
    expect(Math.abs(moved.logprob - moved.plainLogprob!)).toBeGreaterThan(1e-3);
    await tap(forkId, moved.id);
    await page.waitForSelector(`[data-testid=inspector][data-node-id="${moved.id}"]`);
    const delta = Number(await page.getAttribute('[data-testid=inspector-delta-logprob]', 'data-value'));
    expect(delta).toBe(moved.logprob - moved.plainLogprob!);
    await page.waitForSelector('[data-testid=inspector-lens]', { timeout: 120_000 });
    await screenshotBothSizes(page, 'fork-thought-inspector');
    expect(pageErrors).toEqual([]);
  });
});
