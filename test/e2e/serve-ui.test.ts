/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseExportFile } from '../../src/shared/export-validate';
import {
  ARTIFACTS,
  CHROMIUM,
  apiClient,
  closeLab,
  launchChromium,
  openLab,
  waitForViews as waitForViewsOn,
  type ServeProcess,
} from './serve-harness';

/**
 * The whole lab in Chromium against `npm run serve` (the built bundles): the researcher's main path on
 * the default model (the bundled one, or the tiny fixture while none is trained).
 */
let serve: ServeProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof apiClient>>;
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const views = () => page.locator('[data-testid=run-view]');

const waitForViews = (count: number, state: string | null, timeout = 60_000) =>
  waitForViewsOn(page, count, state, { timeout });

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`serve-ui.test.ts: skipped: no Chromium at ${CHROMIUM} (set LATTICE_LAB_CHROMIUM)`);

beforeAll(async () => {
  if (!haveChromium) return;
  ({ serve, browser, page, api } = await openLab({}, pageErrors));
}, 120_000);

afterAll(() => closeLab({ api, browser, serve }));

describe.skipIf(!haveChromium)('Lattice Lab in Chromium (serve mode)', () => {
  it('refuses the page and the API without the token', async () => {
    const res = await fetch(`http://127.0.0.1:${serve.port}/`);
    expect(res.status).toBe(403);
    const wrong = await fetch(`http://127.0.0.1:${serve.port}/?token=nope`);
    expect(wrong.status).toBe(403);
  });

  it("runs greedy and beam side by side, and the inspector shows the engine's numbers", async () => {
    await page.goto(serve.url);
    await page.waitForSelector('[data-testid=model-info]', { timeout: 30_000 });
    const prompt = await page.inputValue('[data-testid=prompt]');
    if (prompt === '') await page.fill('[data-testid=prompt]', 'a b');
    await page.selectOption('[data-testid=add-strategy-kind]', 'beam');
    await page.click('[data-testid=add-strategy]');
    await page.fill('[data-testid=field-1-numBeams]', '3');
    await page.click('[data-testid=run]');
    await waitForViews(2, 'done');
    const counts = await views().evaluateAll((vs) => vs.map((v) => Number(v.getAttribute('data-nodes'))));
    expect(counts.every((n) => n > 1)).toBe(true);
    await expect(page.locator('[data-testid=compare-row]').count()).resolves.toBe(2);

    // Keyboard: focus the beam tree, select the root, then walk to its best child and one deeper.
    const beamView = views().nth(1);
    await beamView.locator('.canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const inspector = page.locator('[data-testid=inspector]');
    await inspector.waitFor();
    const runId = (await inspector.getAttribute('data-run-id'))!;
    const nodeId = Number(await inspector.getAttribute('data-node-id'));
    expect(runId).toBe(await beamView.getAttribute('data-run-id'));
    const { tree } = await api.request('getTree', { runId });
    const node = tree.nodes[nodeId]!;
    expect(node.depth).toBe(2);
    expect(Number(await page.getAttribute('[data-testid=inspector-logprob]', 'data-value'))).toBe(node.logprob);
    expect(Number(await page.getAttribute('[data-testid=inspector-score]', 'data-value'))).toBe(node.score);
    expect(await page.textContent('[data-testid=inspector-prob]')).toBe(Math.exp(node.logprob).toFixed(4));
    expect(await page.textContent('[data-testid=inspector-token-id]')).toBe(String(node.tokenId));
    expect(await page.locator('[data-testid=inspector-topk] li').count()).toBe(node.topk?.length ?? 0);
    // The best child is the highest-scoring child of the root's best child.
    const parent = tree.nodes[node.parents[0]!]!;
    const siblings = tree.order
      .filter((id) => tree.nodes[id]!.parents[0] === parent.id)
      .map((id) => tree.nodes[id]!.score);
    expect(node.score).toBe(Math.max(...siblings));
    await page.waitForSelector('[data-testid=inspector-path]');

    // Hover: the keyboard move centred the node; pointing at it lights the same token path in the greedy view.
    const box = (await beamView.locator('.canvas').boundingBox())!;
    // Cytoscape detects hover from pointer movement over its canvas: nudge the pointer until it registers.
    const hoveredIn = (i: number) => views().nth(i).getAttribute('data-hover-node');
    for (let attempt = 0; attempt < 30 && (await hoveredIn(1)) !== String(nodeId); attempt++) {
      await page.mouse.move(box.x + box.width / 2 + (attempt % 3) - 1, box.y + box.height / 2 + (attempt % 2), {
        steps: 3,
      });
      await page.waitForTimeout(150);
    }
    expect(await hoveredIn(1)).toBe(String(nodeId));
    const greedyId = (await views().nth(0).getAttribute('data-run-id'))!;
    const greedy = (await api.request('getTree', { runId: greedyId })).tree;
    const tokens = [parent.tokenId, node.tokenId];
    let match: number | null = greedy.rootId;
    for (const token of tokens) {
      match =
        match === null
          ? null
          : (greedy.order.find((id) => greedy.nodes[id]!.parents[0] === match && greedy.nodes[id]!.tokenId === token) ??
            null);
    }
    expect(await views().nth(0).getAttribute('data-hover-node')).toBe(match === null ? '' : String(match));
    await shot('main-two-strategies');
    await page.mouse.move(0, 0);

    // The picture of a view, as PNG and as SVG with every drawn node.
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      views().nth(0).locator('[data-testid=export-png]').click(),
    ]);
    const pngFile = path.join(ARTIFACTS, 'greedy.png');
    await png.saveAs(pngFile);
    expect(fs.readFileSync(pngFile).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      views().nth(0).locator('[data-testid=export-svg]').click(),
    ]);
    const svgFile = path.join(ARTIFACTS, 'greedy.svg');
    await svg.saveAs(svgFile);
    const svgText = fs.readFileSync(svgFile, 'utf8');
    expect(svgText).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText.match(/<circle /g)?.length).toBe(Number(await views().nth(0).getAttribute('data-drawn')));
  });

  it('exports the comparison as JSON and imports it back for offline browsing', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const file = path.join(ARTIFACTS, 'comparison.json');
    await download.saveAs(file);
    const exported = parseExportFile(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(exported.runs.map((r) => r.strategy)).toEqual(['greedy', 'beam']);
    expect(exported.runs[1]!.config).toMatchObject({ strategy: 'beam', numBeams: 3 });

    await page.setInputFiles('[data-testid=import-json]', file);
    await waitForViews(4, 'done');
    const labels = await page.locator('[data-testid=compare-row]').allTextContents();
    expect(labels.filter((l) => l.includes('imported'))).toHaveLength(2);
    const importedBeam = views().nth(3);
    expect(await importedBeam.getAttribute('data-nodes')).toBe(String(exported.runs[1]!.nodes.length));

    // Replay: the slider shows the first k nodes in creation order, then the whole tree again.
    const total = exported.runs[1]!.nodes.length;
    // the whole tree folds pruned leaves into "+k pruned" stubs; a replay draws each node as it arrived
    await page.waitForFunction(
      () => Number(document.querySelectorAll('[data-testid=run-view]')[3]?.getAttribute('data-drawn')) > 0,
    );
    const whole = await importedBeam.getAttribute('data-drawn');
    await importedBeam.locator('[data-testid=replay-slider]').fill('5');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=run-view]')[3]?.getAttribute('data-drawn') === '5',
    );
    await importedBeam.locator('[data-testid=replay-slider]').fill(String(total));
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=run-view]')[3]?.getAttribute('data-drawn') === n,
      whole,
    );

    // A broken file is refused with the offending path, and nothing already loaded is lost.
    const broken = JSON.parse(fs.readFileSync(file, 'utf8'));
    broken.runs[0].nodes[0].status = 'exploded';
    const brokenFile = path.join(ARTIFACTS, 'comparison-broken.json');
    fs.writeFileSync(brokenFile, JSON.stringify(broken));
    await page.setInputFiles('[data-testid=import-json]', brokenFile);
    await expect(page.locator('[data-testid=error-banner]')).toBeTruthy();
    await page.waitForSelector('[data-testid=error-banner]');
    expect(await page.textContent('[data-testid=error-banner]')).toContain('$.runs[0].nodes[0].status');
    await expect(views().count()).resolves.toBe(4);
    await shot('imported-comparison');
  });

  it('cancels a long run between steps and keeps what it grew', async () => {
    const info = await api.request('openModel', {});
    // Long on any model: many distinct rollouts (a hot temperature), each step short enough to cancel between.
    const tiny = info.vocabSize <= 16;
    await page.selectOption('[data-testid=strategy-kind-0]', 'sampling');
    await page.fill('[data-testid=field-0-n]', tiny ? '100000' : '2000');
    await page.fill('[data-testid=field-0-maxNewTokens]', tiny ? '60' : '64');
    await page.fill('[data-testid=field-0-temperature]', tiny ? '3' : '2.5');
    await page.click('[data-testid=strategy-1] button[aria-label="Remove strategy"]');
    await page.click('[data-testid=run]');
    await waitForViews(5, null);
    const running = views().nth(4);
    await page.waitForFunction(
      () => {
        const v = document.querySelectorAll('[data-testid=run-view]')[4];
        return v?.getAttribute('data-state') === 'running' && Number(v.getAttribute('data-nodes')) > 20;
      },
      null,
      { timeout: 30_000 },
    );
    await page.waitForSelector('[role=progressbar]');
    await shot('long-run-progress');
    await running.locator('[data-testid=cancel-run]').waitFor();
    const asked = Date.now();
    await page.keyboard.press('Escape'); // Esc cancels every running run
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=run-view]')[4]?.getAttribute('data-state') === 'cancelled',
      null,
      { timeout: 14_000 },
    );
    expect(Date.now() - asked).toBeLessThan(14_000);
    const runId = (await running.getAttribute('data-run-id'))!;
    // the window shows "cancelled" at once; the engine stops at its next forward pass and the host records the end
    const hostEnded = async () => (await api.request('listRuns', {})).find((r) => r.runId === runId)?.state;
    while ((await hostEnded()) === 'running') await new Promise((resolve) => setTimeout(resolve, 50));
    // (on a loaded machine the run may also have finished on its own just before the cancel reached it)
    expect(['cancelled', 'done']).toContain(await hostEnded());
    expect(Date.now() - asked).toBeLessThan(14_000);
    const { tree } = await api.request('getTree', { runId });
    expect(tree.order.length).toBeGreaterThan(20);
    // the view holds the same tree as the main process
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=run-view]')[4]?.getAttribute('data-nodes') === String(n),
      tree.order.length,
    );
    await shot('cancelled-run');
  });

  it('keeps the prompt and the runs when a model folder is wrong, and says why', async () => {
    const before = await page.inputValue('[data-testid=prompt]');
    await page.fill('[data-testid=model-folder]', '/nonexistent/model');
    await page.press('[data-testid=model-folder]', 'Enter');
    await page.waitForSelector('[data-testid=model-error]');
    expect(await page.textContent('[data-testid=model-error]')).toContain('model folder not found');
    expect(await page.inputValue('[data-testid=prompt]')).toBe(before);
    await expect(views().count()).resolves.toBe(5);
    await shot('bad-model-folder');
    expect(pageErrors).toEqual([]);
  });
});
