/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ARTIFACTS,
  CHROMIUM,
  ROOT,
  apiClient,
  closeLab,
  launchChromium,
  openLab,
  screenshotBothSizes,
  type ServeProcess,
} from './serve-harness';

/**
 * The analyses on screen (HMM trellis, thought strip, comparison columns, evaluation chart), the guards and the
 * settings, in Chromium against one `serve` instance; small runs on the bundled models.
 */
let serve: ServeProcess;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let api: Awaited<ReturnType<typeof apiClient>>;
const pageErrors: string[] = [];

const COT = path.join(ROOT, 'resources', 'models', 'ontology-cot');
const COCONUT = path.join(ROOT, 'resources', 'models', 'ontology-coconut');
const EXAMPLE = 3;

const shots = (name: string) => screenshotBothSizes(page, `analyses-${name}`);

const viewCount = () => page.locator('[data-testid=run-view]').count();

/** Waits until `count` run views exist and all are finished. */
async function waitForRuns(count: number, timeout = 300_000) {
  await page.waitForFunction(
    (n) => {
      const all = [...document.querySelectorAll('[data-testid=run-view]')];
      return all.length === n && all.every((v) => !['running', undefined, null].includes(v.getAttribute('data-state')));
    },
    count,
    { timeout },
  );
}

/** Removes every run (cancelling any still running), so a step starts from an empty strip. */
async function clearRuns() {
  let runs = await api.request('listRuns', {});
  for (const run of runs) if (run.state === 'running') await api.request('cancelRun', { runId: run.runId });
  for (let i = 0; i < 600 && runs.some((r) => r.state === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    runs = await api.request('listRuns', {});
  }
  for (const run of runs) await api.request('removeRun', { runId: run.runId });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-view]').length === 0);
}

/** Sets the strategy list to exactly these kinds (the first form is reused). */
async function setStrategies(kinds: string[]) {
  while ((await page.locator('[data-testid^=strategy-kind-]').count()) > 1) {
    await page.locator('[aria-label="Remove strategy"]').last().click();
  }
  if ((await page.locator('[data-testid^=strategy-kind-]').count()) === 0)
    await page.click('[data-testid=add-strategy]');
  await page.selectOption('[data-testid=strategy-kind-0]', kinds[0]!);
  for (const kind of kinds.slice(1)) {
    await page.selectOption('[data-testid=add-strategy-kind]', kind);
    await page.click('[data-testid=add-strategy]');
  }
}

// runs share two cores with the rest of the suite: generous per-step limits, small runs
vi.setConfig({ testTimeout: 400_000, hookTimeout: 300_000 });

const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) console.log(`analyses.test.ts: skipped: no Chromium at ${CHROMIUM} (set LATTICE_LAB_CHROMIUM)`);

beforeAll(async () => {
  if (!haveChromium) return;
  ({ serve, browser, page, api } = await openLab({ LATTICE_LAB_MODEL: COT }, pageErrors));
  // a shared 2-core machine can take tens of seconds to parse the bundle
  page.setDefaultTimeout(120_000);
  await page.goto(serve.url, { waitUntil: 'domcontentloaded', timeout: 180_000 });
  await page.waitForSelector('[data-testid=model-info]', { timeout: 180_000 });
}, 400_000);

afterAll(() => closeLab({ api, browser, serve }));

describe.skipIf(!haveChromium)('analyses on screen (serve mode, Chromium)', () => {
  // each step starts from an empty strip, whatever the step before left behind
  beforeEach(async () => {
    if (api) await clearRuns();
  });

  it('lists every example with its options and defaults the token limit to the task budget', async () => {
    const options = await page.locator('[data-testid=task-example] option').allTextContents();
    expect(options).toHaveLength(301); // "none" + the 300 test questions
    expect(options[EXAMPLE + 1]).toMatch(new RegExp(`^#${EXAMPLE}: \\w+ or \\w+ · `));
    await page.selectOption('[data-testid=task-example]', String(EXAMPLE));
    const budget = (await api.request('taskExamples', { limit: 1 }))[0]!.tokenBudget!;
    expect(await page.inputValue('[data-testid=field-0-maxNewTokens]')).toBe(String(budget));
  });

  it("refuses a run past the model's context, naming both numbers, and an empty prompt", async () => {
    await page.fill('[data-testid=field-0-maxNewTokens]', '200');
    await page.click('[data-testid=run]');
    await waitForRuns(1);
    await page.waitForSelector('[data-testid=error-banner]');
    const message = await page.textContent('[data-testid=error-banner]');
    expect(message).toMatch(
      /the prompt has \d+ tokens and maxNewTokens 200 would need \d+ positions, but ontology-cot has a context of 128/,
    );
    await shots('context-guard');
    const prompt = await page.inputValue('[data-testid=prompt]');
    await page.fill('[data-testid=prompt]', '');
    await page.click('[data-testid=run]');
    expect(await page.textContent('[data-testid=error-banner]')).toContain('The prompt is empty');
    await page.fill('[data-testid=prompt]', prompt);
  });

  it('draws the HMM trellis with its Viterbi path; hovering a state lists its hypotheses', async () => {
    await page.selectOption('[data-testid=task-example]', String(EXAMPLE));
    await setStrategies(['hmm']);
    await page.fill('[data-testid=field-0-width]', '6');
    await page.fill('[data-testid=field-0-maxNewTokens]', '16');
    await page.click('[data-testid=run]');
    await waitForRuns(1);
    const pane = page.locator('[data-testid=analysis-pane][data-kind=hmm-trellis]');
    await pane.waitFor();
    const runId = (await page.locator('[data-testid=run-view]').first().getAttribute('data-run-id'))!;
    const run = (await api.request('listRuns', {})).find((r) => r.runId === runId)!;
    const analysis = run.result!.analysis as { trellis: { states: unknown[] }[]; viterbi: { path: number[] } };
    const cells = analysis.trellis.reduce((n, d) => n + d.states.length, 0);
    expect(await pane.locator('[data-testid=trellis-cell]').count()).toBe(cells);
    // the Viterbi polyline visits one cell per depth, the cells it marks are the engine's path
    const points = (await pane.locator('[data-testid=viterbi-path]').getAttribute('points'))!.trim().split(' ');
    expect(points).toHaveLength(analysis.viterbi.path.length);
    const onPath = await pane
      .locator('[data-testid=trellis-cell][data-viterbi=true]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-state'))));
    expect(onPath).toEqual(analysis.viterbi.path);
    // states carry their dominant true concept on a task example, and the scores their chance level
    expect(await pane.locator('text.concept').count()).toBeGreaterThan(0);
    const deep = pane.locator('[data-testid=trellis-cell][data-depth="3"]').first();
    // the trellis may sit in a scrolled pane: the state's own hover handler is what matters
    await deep.dispatchEvent('mouseenter');
    await pane.locator('[data-testid=trellis-members] li').first().waitFor();
    expect(await pane.locator('[data-testid=trellis-members]').textContent()).toMatch(/depth 3, state \d+/);
    await pane.locator('input[value=alpha]').check();
    await shots('hmm-trellis');
    await deep.dispatchEvent('mouseleave');
  });

  it('compares like with like: path log-prob and own score apart, length, limit flag, n-best and the sampling vote', async () => {
    await setStrategies(['greedy', 'beam', 'sampling']);
    // the task's budget was applied to the new forms
    expect(await page.inputValue('[data-testid=field-2-maxNewTokens]')).toBe(
      await page.inputValue('[data-testid=field-0-maxNewTokens]'),
    );
    await page.click('[data-testid=run]');
    await waitForRuns(3);
    for (const col of ['col-path-logprob', 'col-own-score', 'col-length', 'col-limit', 'col-vote'])
      await page.locator(`[data-testid=${col}]`).waitFor();
    const runs = await api.request('listRuns', {});
    const beam = runs.find((r) => r.config.strategy === 'beam')!;
    const row = page.locator(`[data-testid=compare-row][data-run-id=${beam.runId}]`);
    expect(Number(await row.locator('[data-testid=cell-path-logprob]').textContent())).toBeCloseTo(
      beam.result!.nBest[0]!.logprob,
      4,
    );
    expect(parseFloat((await row.locator('[data-testid=cell-own-score]').textContent())!)).toBeCloseTo(
      beam.result!.nBest[0]!.score,
      4,
    );
    expect(await row.locator('[data-testid=cell-own-score]').getAttribute('title')).toMatch(/length\^1/);
    expect(Number(await row.locator('[data-testid=cell-length]').textContent())).toBe(
      beam.result!.nBest[0]!.tokenIds.length,
    );
    expect(await page.locator('[data-testid=compare-group]').count()).toBe(1);
    const sampling = runs.find((r) => r.config.strategy === 'sampling')!;
    const srow = page.locator(`[data-testid=compare-row][data-run-id=${sampling.runId}]`);
    expect(await srow.locator('[data-testid=cell-vote]').textContent()).toMatch(/pass@1 \d\.\d\d · pass@8 \d\.\d\d/);
    await srow.locator('[data-testid=expand-nbest]').click();
    await page.locator('[data-testid=answer-histogram]').waitFor();
    expect(await page.locator('[data-testid=answer-histogram]').textContent()).toMatch(/answers of 8 rollouts/);
    await page.locator('footer').evaluate((f) => f.scrollTo(0, 0));
    await shots('comparison');

    // a run of another prompt ticked with these: export names the run to untick
    await page.fill('[data-testid=prompt]', 'tom is a wumpus .');
    await setStrategies(['greedy']);
    await page.fill('[data-testid=field-0-maxNewTokens]', '4');
    await page.click('[data-testid=run]');
    await waitForRuns(4);
    expect(await page.locator('[data-testid=compare-group]').count()).toBe(2);
    await page.click('[data-testid=export-json]');
    expect(await page.textContent('[data-testid=error-banner]')).toMatch(
      /untick "greedy #\d+" to export the 3 runs of prompt/,
    );
  });

  it('shows each mixture thought with its readout; the inspector explains next tokens vs readout', async () => {
    await page.selectOption('[data-testid=task-example]', String(EXAMPLE));
    await setStrategies(['latent']);
    expect(await page.inputValue('[data-testid=field-0-mode]')).toBe('"mixture"');
    await page.click('[data-testid=run]');
    await waitForRuns(1);
    const strip = page.locator('[data-testid=thought-strip]');
    await strip.waitFor();
    expect(await strip.locator('[data-testid=thought-card]').count()).toBe(3);
    expect(await strip.locator('[data-testid=thought-lens]').count()).toBe(3);
    expect(await strip.locator('[data-testid=thought-frontier]').count()).toBeGreaterThan(0);
    await strip.locator('[data-testid=thought-card]').first().click();
    await page.locator('[data-testid=thought-explainer]').waitFor();
    await page.locator('[data-testid=thought-readout]').waitFor();
    await page.locator('[data-testid=inspector-lens]').waitFor();
    expect(await page.locator('[data-testid=inspector]').textContent()).not.toContain('token_ids must be');
    await shots('thoughts-mixture');
  });

  it("applies the continuous-thought model's declared defaults and shows its hidden thoughts", async () => {
    await setStrategies(['latent']);
    expect(await page.inputValue('[data-testid=field-0-thoughts]')).toBe('3');
    await page.fill('[data-testid=model-folder]', COCONUT);
    await page.press('[data-testid=model-folder]', 'Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-name]')?.textContent === 'ontology-coconut',
    );
    expect(await page.innerText('[data-testid=model-info]')).toContain('trained for 6 hidden thoughts');
    // the open latent form took the model's defaults
    expect(await page.inputValue('[data-testid=field-0-thoughts]')).toBe('6');
    expect(await page.inputValue('[data-testid=field-0-mode]')).toBe('"hidden"');
    await page.selectOption('[data-testid=task-example]', String(EXAMPLE));
    await page.click('[data-testid=run]');
    await waitForRuns(1);
    const strip = page.locator('[data-testid=thought-strip]');
    await strip.waitFor();
    expect(await strip.locator('[data-testid=thought-card]').count()).toBe(6);
    expect(await strip.locator('[data-testid=frontier-mark]').count()).toBeGreaterThan(0);
    // the model can leave latent mode: the values of the true frontier after k thoughts, one row per k the engine read
    const [run] = await api.request('listRuns', {});
    const values = (run!.result!.analysis as { frontierValues?: unknown[] }).frontierValues ?? [];
    expect(values.length).toBeGreaterThan(1);
    expect(await strip.locator('[data-testid=frontier-values] tbody tr').count()).toBe(values.length);
    await strip.locator('[data-testid=thought-card]').nth(2).click();
    await page.locator('[data-testid=thought-explainer]').waitFor();
    await shots('thoughts-hidden');
  });

  it('keeps the active model in view after a failed open', async () => {
    await page.fill('[data-testid=model-folder]', '/nonexistent/model');
    await page.press('[data-testid=model-folder]', 'Enter');
    await page.waitForSelector('[data-testid=model-error]');
    expect(await page.textContent('[data-testid=model-info]')).toMatch(/still using\s+ontology-coconut/);
    await page.fill('[data-testid=model-folder]', COT);
    await page.press('[data-testid=model-folder]', 'Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=model-name]')?.textContent === 'ontology-cot',
    );
  });

  it('evaluates the strategies over task examples into an accuracy-vs-compute chart; an eval file opens in it', async () => {
    await setStrategies(['greedy', 'beam']);
    await page.fill('[data-testid=field-1-numBeams]', '2');
    await page.fill('[data-testid=eval-limit]', '3');
    await page.click('[data-testid=eval-start]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=eval-point]').length === 2, null, {
      timeout: 90_000,
    });
    expect(await page.textContent('[data-testid=eval-status]')).toContain('done');
    expect(await page.locator('[data-testid=eval-point][data-front=true]').count()).toBeGreaterThan(0);
    const rows = await page.locator('[data-testid=eval-row]').allTextContents();
    expect(rows[0]).toMatch(/^greedy\s*3/);
    await page.locator('[data-testid=eval-section]').scrollIntoViewIfNeeded();
    await shots('eval-chart');

    const file = path.join(ARTIFACTS, 'analyses-eval.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        model: 'ontology-cot',
        examples: 300,
        scores: [
          {
            config: { strategy: 'greedy' },
            examples: 300,
            accuracy: 0.9,
            forwardPasses: 9378,
            tokensEvaluated: 13878,
            wallTimeMs: 23500,
            outcomes: [],
          },
          {
            config: { strategy: 'beam', numBeams: 4 },
            examples: 300,
            accuracy: 0.943,
            forwardPasses: 9881,
            tokensEvaluated: 43124,
            wallTimeMs: 55100,
            outcomes: [],
          },
          {
            config: { strategy: 'bfs', width: 8 },
            examples: 300,
            accuracy: 0.943,
            forwardPasses: 9798,
            tokensEvaluated: 54631,
            wallTimeMs: 35600,
            outcomes: [],
          },
        ],
      }),
    );
    await page.setInputFiles('[data-testid=eval-file]', file);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=eval-point]').length === 3);
    await page.selectOption('[data-testid=eval-axis]', 'tokensEvaluated');
    const front = await page
      .locator('[data-testid=eval-point][data-front=true]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
    // beam with its default width is labelled plainly; BFS costs more tokens for the same accuracy
    expect(front).toEqual(['greedy', 'beam']);
  });

  it('keeps the prompt, the strategy settings and the export ticks across a reload; one Enter starts one set of runs', async () => {
    await page.fill('[data-testid=prompt]', 'tom is a wumpus . question : is tom a zhorpus or a gerpus ?');
    await setStrategies(['greedy', 'bfs']);
    await page.fill('[data-testid=field-0-maxNewTokens]', '5');
    await page.fill('[data-testid=field-1-maxNewTokens]', '5');
    await page.selectOption('[data-testid=field-1-merge]', '"last-n"');
    await page.fill('[data-testid=field-1-merge\\.n]', '3');
    await page.focus('[data-testid=prompt]');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await waitForRuns(2);
    await page.waitForTimeout(300);
    expect(await viewCount()).toBe(2);
    const first = page.locator('[data-testid=compare-row] input[type=checkbox]').first();
    await first.uncheck();
    await page.reload({ waitUntil: 'domcontentloaded', timeout: 180_000 });
    await page.waitForSelector('[data-testid=model-info]', { timeout: 180_000 });
    expect(await page.inputValue('[data-testid=prompt]')).toBe(
      'tom is a wumpus . question : is tom a zhorpus or a gerpus ?',
    );
    expect(await page.inputValue('[data-testid=strategy-kind-1]')).toBe('bfs');
    expect(await page.inputValue('[data-testid=field-1-merge]')).toBe('"last-n"');
    expect(await page.inputValue('[data-testid=field-1-merge\\.n]')).toBe('3');
    expect(await page.inputValue('[data-testid=field-0-maxNewTokens]')).toBe('5');
    await page.locator('[data-testid=compare-row]').nth(1).waitFor();
    expect(await page.locator('[data-testid=compare-row] input[type=checkbox]').first().isChecked()).toBe(false);
    expect(await page.locator('[data-testid=compare-row] input[type=checkbox]').nth(1).isChecked()).toBe(true);
    await shots('after-reload');
    expect(pageErrors).toEqual([]);
  });
});
