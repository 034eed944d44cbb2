/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  CHROMIUM,
  apiClient,
  closeLab,
  launchChromium,
  openLab,
  screenshotBothSizes,
  waitForViews as waitForViewsOn,
  type ServeProcess,
} from './serve-harness';
import { parseExportFile } from '../../src/shared/export-validate';
import { beamShapedTree } from '../../bench/synthetic-tree';
import { defaultViewOptions, viewTree } from '../../src/renderer/src/lib/tree/view-tree';
import { layoutView } from '../../src/renderer/src/lib/tree/layout';
import { entropyColor, probabilityColor } from '../../src/renderer/src/lib/tree/color';

/**
 * Reading trees in Chromium against `npm run serve` (the built bundles, the bundled model): labels at
 * Fit, "+k pruned" stubs, hiding pruned nodes, folding a subtree, the focus view, Esc showing a run as
 * cancelled at once, hover that never sticks, and pictures without the hover highlight. One serve
 * instance and small runs: the machine running the suite is small.
 */
let serve: ServeProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof apiClient>>;
const pageErrors: string[] = [];

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
/** the page at 1280×800 and 1920×1080, then back at the suite's 1280×800 */
async function shots(name: string) {
  await screenshotBothSizes(page, name);
  await page.setViewportSize({ width: 1280, height: 800 });
}
const views = () => page.locator('[data-testid=run-view]');
const view = (runId: string) => page.locator(`[data-testid=run-view][data-run-id="${runId}"]`);

const waitForViews = (count: number, state: string | null) =>
  waitForViewsOn(page, count, state, { timeout: 180_000, failureShot: 'trees-failure' });

/** What Cytoscape holds for a view (read through the instance it registers on its container). */
function cyFacts(runId: string) {
  return page.evaluate((id) => {
    const container = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
      _cyreg: { cy: import('cytoscape').Core };
    };
    const cy = container._cyreg.cy;
    const stubs = cy.nodes('.stub');
    const first = stubs[0];
    return {
      zoom: cy.zoom(),
      nodes: cy.nodes().length,
      stubs: stubs.length,
      pruned: cy.nodes('.pruned').length,
      collapsed: cy.nodes('.collapsed').length,
      hover: cy.elements('.hover').length,
      labelStyle: (cy.style() as unknown as { json(): { selector: string; style: Record<string, unknown> }[] })
        .json()
        .some((rule) => rule.selector === 'node' && 'label' in rule.style),
      minFont: Number(cy.nodes().first().style('min-zoomed-font-size').replace('px', '')),
      font: Number(cy.nodes().first().style('font-size').replace('px', '')),
      stub: first
        ? {
            id: first.id(),
            at: first.renderedPosition(),
            box: (cy.container() as HTMLElement).getBoundingClientRect().toJSON(),
          }
        : null,
    };
  }, runId);
}

function cyViewport(runId: string) {
  return page.evaluate((id) => {
    const container = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
      _cyreg: { cy: import('cytoscape').Core };
    };
    return { zoom: container._cyreg.cy.zoom(), pan: container._cyreg.cy.pan() };
  }, runId);
}

/** The view's zoom and pan once they stop changing (a resize refits the view a frame or two later). */
async function settledViewport(runId: string) {
  let last = await cyViewport(runId);
  for (let tries = 0; tries < 50; tries++) {
    await page.waitForTimeout(200);
    const now = await cyViewport(runId);
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
}

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`trees.test.ts: skipped: no Chromium at ${CHROMIUM} (set LATTICE_LAB_CHROMIUM)`);

beforeAll(async () => {
  if (!haveChromium) return;
  ({ serve, browser, page, api } = await openLab({}, pageErrors));
  // the suite shares a small machine: give each step room
  page.setDefaultTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
}, 180_000);

afterAll(() => closeLab({ api, browser, serve }));

describe.skipIf(!haveChromium)('search trees a researcher can read (Chromium, serve mode)', () => {
  let beamId = '';

  it('shows a beam tree of about 200 nodes at Fit with its labels, pruned runner-ups folded into stubs', async () => {
    await page.goto(serve.url, { timeout: 120_000 });
    await page.waitForSelector('[data-testid=model-info]', { timeout: 120_000 });
    await page.selectOption('[data-testid=strategy-kind-0]', 'beam');
    await page.fill('[data-testid=field-0-numBeams]', '4');
    await page.selectOption('[data-testid=add-strategy-kind]', 'greedy');
    await page.click('[data-testid=add-strategy]');
    await page.selectOption('[data-testid=add-strategy-kind]', 'bfs');
    await page.click('[data-testid=add-strategy]');
    await page.click('[data-testid=run]');
    await waitForViews(3, 'done');
    beamId = (await views().nth(0).getAttribute('data-run-id'))!;
    const { tree } = await api.request('getTree', { runId: beamId });
    expect(tree.order.length).toBeGreaterThan(100);
    expect(tree.order.length).toBeLessThan(400);
    const facts = await cyFacts(beamId);
    // Fit keeps the zoom at which Cytoscape draws labels (font size × zoom ≥ its minimum), with labels on
    expect(facts.labelStyle).toBe(true);
    expect(facts.font * facts.zoom).toBeGreaterThanOrEqual(facts.minFont);
    expect(await view(beamId).getAttribute('data-labels')).toBe('on');
    // each parent's pruned leaves are one stub: fewer nodes drawn than the tree holds
    const prunedLeaves = tree.order.filter((id) => tree.nodes[id]!.status === 'pruned').length;
    expect(prunedLeaves).toBeGreaterThan(0);
    expect(facts.stubs).toBeGreaterThan(0);
    expect(facts.nodes).toBeLessThan(tree.order.length);
    // three runs side by side at 1280 px, none scrolled out of sight
    const boxes = await views().evaluateAll((vs) => vs.map((v) => v.getBoundingClientRect().toJSON()));
    expect(new Set(boxes.map((b) => Math.round(b.top))).size).toBe(1);
    expect(Math.max(...boxes.map((b) => b.right))).toBeLessThanOrEqual(1280);
    // the full title is on screen, not cut to "gree…"
    const titles = await page
      .locator('[data-testid=run-title]')
      .evaluateAll((ts) => ts.map((t) => t.scrollWidth <= t.clientWidth + 1));
    expect(titles.every(Boolean)).toBe(true);
    await shot('trees-1280x800');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(400);
    await shot('trees-1920x1080');
    await page.setViewportSize({ width: 1280, height: 800 });
  }, 300_000);

  it('colours the nodes by next-token entropy on request, with its own legend', async () => {
    const { tree } = await api.request('getTree', { runId: beamId });
    const colours = () =>
      page.evaluate((id) => {
        const c = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
          _cyreg: { cy: import('cytoscape').Core };
        };
        return Object.fromEntries(
          c._cyreg.cy
            .nodes()
            .filter((n) => !n.hasClass('stub'))
            .map((n) => [n.data('nodeId') as number, n.data('color') as string]),
        );
      }, beamId);
    const before = await colours();
    for (const [id, colour] of Object.entries(before))
      expect(colour).toBe(probabilityColor(tree.nodes[Number(id)]!.logprob));
    await page.selectOption('[data-testid=color-by]', 'entropy');
    await page.waitForFunction(
      ([id, c]) => {
        const v = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
          _cyreg: { cy: import('cytoscape').Core };
        };
        return v._cyreg.cy
          .nodes()
          .filter((n) => !n.hasClass('stub'))
          .some((n) => n.data('color') !== c[n.data('nodeId') as number]);
      },
      [beamId, before] as const,
    );
    const after = await colours();
    const evaluated = Object.keys(after).filter((id) => tree.nodes[Number(id)]!.entropy !== undefined);
    expect(evaluated.length).toBeGreaterThan(10);
    for (const [id, colour] of Object.entries(after))
      expect(colour).toBe(entropyColor(tree.nodes[Number(id)]!.entropy));
    expect(await page.locator('[data-testid=legend-scale]').textContent()).toMatch(/nats/);
    await shots('trees-entropy-colours');
    await page.selectOption('[data-testid=color-by]', 'probability');
    expect(await page.locator('[data-testid=legend-scale]').textContent()).not.toMatch(/nats/);
  }, 120_000);

  it('opens a stub with a click, hides every pruned node with the toggle, and folds a subtree', async () => {
    const before = await cyFacts(beamId);
    const stub = before.stub!;
    // bring the stub into the view first: the tree may be wider than its view at a readable zoom
    await page.evaluate(
      ([id, key]) => {
        const c = document.querySelector(`[data-testid=run-view][data-run-id="${id}"] .canvas`) as unknown as {
          _cyreg: { cy: import('cytoscape').Core };
        };
        c._cyreg.cy.center(c._cyreg.cy.getElementById(key));
      },
      [beamId, stub.id] as const,
    );
    const at = (await cyFacts(beamId)).stub!;
    await page.mouse.click(at.box.x + at.at.x, at.box.y + at.at.y);
    await page.waitForFunction(
      ([id, n]) =>
        Number(document.querySelector(`[data-run-id="${id}"][data-testid=run-view]`)?.getAttribute('data-drawn')) > n,
      [beamId, before.nodes] as const,
    );
    const opened = await cyFacts(beamId);
    expect(opened.stubs).toBe(before.stubs - 1);

    await view(beamId).locator('[data-testid=hide-pruned]').check();
    await page.waitForFunction(
      ([id, n]) =>
        Number(document.querySelector(`[data-run-id="${id}"][data-testid=run-view]`)?.getAttribute('data-drawn')) < n,
      [beamId, opened.nodes] as const,
    );
    const hidden = await cyFacts(beamId);
    expect(hidden.stubs).toBe(0);
    expect(hidden.pruned).toBe(0);
    await shots('trees-hide-pruned');

    // fold the subtree of the root's best child: only the root and it remain
    await view(beamId).locator('.canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await view(beamId).locator('[data-testid=collapse]').click();
    const folded = await cyFacts(beamId);
    expect(folded.collapsed).toBe(1);
    expect(folded.nodes).toBeLessThan(hidden.nodes);
    expect(await view(beamId).locator('[data-testid=collapse]').textContent()).toBe('Unfold');
    await shots('trees-folded');
    await view(beamId).locator('[data-testid=collapse]').click();
    expect((await cyFacts(beamId)).nodes).toBe(hidden.nodes);
    await view(beamId).locator('[data-testid=hide-pruned]').uncheck();
  }, 180_000);

  it('focuses one run, maximised, and gives the grid back', async () => {
    const grid = (await page.locator('[data-testid=run-grid]').boundingBox())!;
    await view(beamId).locator('[data-testid=focus-run]').click();
    await page.waitForTimeout(300);
    const box = (await view(beamId).boundingBox())!;
    expect(box.width).toBeGreaterThan(grid.width - 30);
    await expect(page.locator('[data-testid=run-view]:visible').count()).resolves.toBe(1);
    await shots('trees-focus');
    await view(beamId).locator('[data-testid=focus-run]').click();
    await expect(page.locator('[data-testid=run-view]:visible').count()).resolves.toBe(3);
  }, 120_000);

  it('draws a 6,000-node tree whole on the overview layer, picks nodes from it, and hands Cytoscape the nodes in view when zoomed in', async () => {
    // an exported comparison whose run carries a synthetic beam-shaped tree, imported back
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    const file = path.join(ARTIFACTS, 'big-tree.json');
    await download.saveAs(file);
    const exported = parseExportFile(JSON.parse(fs.readFileSync(file, 'utf8')));
    const big = beamShapedTree(6000);
    const best = big.order
      .filter((id) => big.nodes[id]!.status === 'frontier')
      .sort((a, b) => big.nodes[b]!.score - big.nodes[a]!.score)[0]!;
    const run = exported.runs[0]!;
    const runs = [
      {
        ...run,
        id: 'big',
        label: 'big tree',
        nodes: big.order.map((id) => big.nodes[id]!),
        result: { ...run.result, nBest: [{ ...run.result.nBest[0]!, nodeId: best, score: big.nodes[best]!.score }] },
      },
    ];
    fs.writeFileSync(file, JSON.stringify({ ...exported, runs }));
    const before = await views().count();
    await page.setInputFiles('[data-testid=import-json]', file);
    await waitForViews(before + 1, null);
    const bigView = views().nth(before);
    const bigId = (await bigView.getAttribute('data-run-id'))!;
    const expected = viewTree(big, defaultViewOptions());
    await page.waitForFunction(
      ([id, n]) =>
        document.querySelector(`[data-run-id="${id}"][data-testid=run-view]`)?.getAttribute('data-drawn') === String(n),
      [bigId, expected.size] as const,
    );
    // at Fit the whole tree is on the overview layer and Cytoscape holds nothing
    expect(await bigView.getAttribute('data-overview')).toBe('on');
    expect(await bigView.getAttribute('data-in-cytoscape')).toBe('0');
    const inked = () =>
      bigView.evaluate((v) => {
        const c = v.querySelector('canvas.overview-layer') as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n;
      });
    expect(await inked()).toBeGreaterThan(1000);
    await shots('trees-big-overview');

    // a click on a dot of the overview selects that node: the root's position from the same layout
    const at = layoutView(expected.root).get(`n${big.rootId}`)!;
    // the screenshots above resized the window: the view refits once its size settles, and may have scrolled away
    await bigView.locator('.canvas').scrollIntoViewIfNeeded();
    const viewport = await settledViewport(bigId);
    const box = (await bigView.locator('.canvas').boundingBox())!;
    await page.mouse.click(
      box.x + viewport.pan.x + at.x * viewport.zoom,
      box.y + viewport.pan.y + at.y * viewport.zoom,
    );
    await page.waitForSelector(`[data-testid=inspector][data-run-id="${bigId}"][data-node-id="${big.rootId}"]`);

    // the arrow keys walk down the tree and zoom in to read: Cytoscape takes the nodes in view, with labels
    await bigView.locator('.canvas').focus();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(
      (id) =>
        Number(
          document.querySelector(`[data-run-id="${id}"][data-testid=run-view]`)?.getAttribute('data-in-cytoscape'),
        ) > 0,
      bigId,
    );
    const held = Number(await bigView.getAttribute('data-in-cytoscape'));
    expect(held).toBeLessThanOrEqual(700);
    expect(held).toBeLessThan(expected.size);
    expect(await bigView.getAttribute('data-labels')).toBe('on');
    expect((await cyFacts(bigId)).labelStyle).toBe(true);
    await shots('trees-big-zoomed');
    await bigView.locator('button[aria-label="Remove run"]').click();
    await waitForViews(before, null);
  }, 180_000);

  it('exports PNG and SVG without the hover highlight, and no hover sticks after a view is removed', async () => {
    const greedyId = (await views().nth(1).getAttribute('data-run-id'))!;
    // hover the root's best child of the beam tree (centred by the keyboard): its path has an edge
    await view(beamId).locator('.canvas').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    const box = (await view(beamId).locator('.canvas').boundingBox())!;
    for (let attempt = 0; attempt < 30 && (await view(beamId).getAttribute('data-hover-node')) === ''; attempt++) {
      await page.mouse.move(box.x + box.width / 2 + (attempt % 3) - 1, box.y + box.height / 2 + (attempt % 2), {
        steps: 3,
      });
      await page.waitForTimeout(150);
    }
    expect(await view(beamId).getAttribute('data-hover-node')).not.toBe('');
    expect((await cyFacts(beamId)).hover).toBeGreaterThan(0);
    // export without moving the pointer off the tree
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      view(beamId).locator('[data-testid=export-png]').dispatchEvent('click'),
    ]);
    const pngFile = path.join(ARTIFACTS, 'trees-export.png');
    await png.saveAs(pngFile);
    const hoverPixels = (b64: string) =>
      page.evaluate(async (data64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data64}`;
        await img.decode();
        const c = document.createElement('canvas');
        [c.width, c.height] = [img.width, img.height];
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        // the hover red (#fa5252) is the only such colour in a tree picture (frontier orange has no blue)
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
          if (r > 230 && g > 55 && g < 125 && b > 55 && b < 125 && Math.abs(g - b) < 25) n++;
        }
        return n;
      }, b64);
    // the same count on the screen shows the highlight is there to be left out
    const onScreen = await view(beamId).locator('.canvas').screenshot();
    expect(await hoverPixels(onScreen.toString('base64'))).toBeGreaterThan(0);
    expect(await hoverPixels(fs.readFileSync(pngFile).toString('base64'))).toBe(0);
    const [svg] = await Promise.all([
      page.waitForEvent('download'),
      view(beamId).locator('[data-testid=export-svg]').dispatchEvent('click'),
    ]);
    const svgFile = path.join(ARTIFACTS, 'trees-export.svg');
    await svg.saveAs(svgFile);
    expect(fs.readFileSync(svgFile, 'utf8')).not.toMatch(/hover|fa5252/);
    // the highlight is back on screen after the export
    expect((await cyFacts(beamId)).hover).toBeGreaterThan(0);

    // remove the hovered view: no other view keeps the path lit, nor does a new one
    await view(beamId).locator('button[aria-label="Remove run"]').click();
    await waitForViews(2, null);
    await page.mouse.move(5, 5);
    await page.click('[data-testid=run]');
    await waitForViews(5, 'done');
    const hovers = await views().evaluateAll((vs) => vs.map((v) => v.getAttribute('data-hover-node')));
    expect(hovers.every((h) => h === '')).toBe(true);
    expect((await cyFacts(greedyId)).hover).toBe(0);
  }, 300_000);

  it('shows a run as cancelled as soon as Esc is pressed, then holds the final tree', async () => {
    for (const id of await views().evaluateAll((vs) => vs.map((v) => v.getAttribute('data-run-id')!))) {
      await view(id).locator('button[aria-label="Remove run"]').click();
    }
    await waitForViews(0, null);
    await page.selectOption('[data-testid=strategy-kind-0]', 'sampling');
    await page.fill('[data-testid=field-0-n]', '3000');
    await page.fill('[data-testid=field-0-temperature]', '2.5');
    await page.fill('[data-testid=field-0-maxNewTokens]', '64');
    for (let i = (await page.locator('[data-testid^=strategy-kind-]').count()) - 1; i > 0; i--) {
      await page.click(`[data-testid=strategy-${i}] button[aria-label="Remove strategy"]`);
    }
    await page.click('[data-testid=run]');
    await waitForViews(1, null);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=run-view]')?.getAttribute('data-nodes')) > 200,
      null,
      { timeout: 60_000 },
    );
    await page.keyboard.press('Escape');
    // (how fast is the benchmark's business: npm run bench:renderer)
    await page.waitForFunction(
      () => document.querySelector('[data-testid=run-view]')?.getAttribute('data-state') === 'cancelled',
    );
    await shots('trees-cancelled');
    const runId = (await views().first().getAttribute('data-run-id'))!;
    // the engine's end arrives, and the view then holds exactly the main process's final tree
    for (
      let i = 0;
      i < 100 && (await api.request('listRuns', {})).find((r) => r.runId === runId)?.state === 'running';
      i++
    )
      await page.waitForTimeout(200);
    const { tree } = await api.request('getTree', { runId });
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=run-view]')?.getAttribute('data-nodes') === String(n),
      tree.order.length,
      { timeout: 30_000 },
    );
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
