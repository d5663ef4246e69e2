// The flame graph pages (`wprof export --format html`, `wprof diff --flame`)
// in a real browser: Debian's chromium, driven headless by playwright-core
// (both installed by scripts/setup.sh; without them this test fails). It
// records two runs of programs/phases.c, whose calls per path follow by hand
// from its arguments, and checks what the page draws against those numbers
// and against plain SQL on the databases: frame widths, zoom, search,
// tooltips, and the colours of the differential flame graph. Also a profile
// of 100,000 frames, which must render in a few seconds.
// Environment: WPROF, WASM_INSTRUMENT, PHASES (phases.wasm), set by CMake.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const { WPROF, WASM_INSTRUMENT, PHASES } = process.env;
const CHROMIUM = '/usr/bin/chromium';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wprof-flame-'));
const env = { ...process.env, WPROF_CACHE_DIR: path.join(work, 'cache') };
const run = (cmd, args) => execFileSync(cmd, args, { cwd: work, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const sql = (db, query) => run('sqlite3', [path.join(work, db), query]).trim();

// Calls of the path ending in `tail` ('main;alpha') and of every path below it: the frame's width
// when weighed by calls, from SQL alone.
const inclusiveCalls = (db, tail) => Number(sql(db, `WITH RECURSIVE sub(id) AS (
    SELECT id FROM path_names WHERE path LIKE '%;${tail}'
    UNION ALL SELECT c.id FROM call_paths c JOIN sub ON c.parent = sub.id)
  SELECT SUM(calls) FROM call_paths WHERE id IN (SELECT id FROM sub)`));

let browser;
before(() => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium`);
  run(WASM_INSTRUMENT, ['-q', PHASES, 'phases.i.wasm']);
  // base: alpha 10, beta 30, omega 0 times; new: alpha 30, beta 10, omega 5 times (phases.c)
  run(WPROF, ['run', '-q', '--no-timing', '-o', 'base.db', 'phases.i.wasm', '--', '10', '30', '0']);
  run(WPROF, ['run', '-q', '--no-timing', '-o', 'new.db', 'phases.i.wasm', '--', '30', '10', '5']);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }).then((b) => { browser = b; });
});
after(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

// Opens a page; collects console errors and page errors into the returned list.
async function open(file) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('file://' + path.join(work, file));
  await page.waitForFunction(() => window.wprofFlame);
  return { page, errors };
}

// What the drawing put where (chart coordinates), once a redraw asked for has
// been made, and the chart's place on the page.
const drawn = async (page) => {
  await page.waitForFunction(() => !window.wprofFlame.pending());
  return page.evaluate(() => window.wprofFlame.drawn().map(({ frame, name, x, y, w }) => ({ frame, name, x, y, w })));
};
const chartBox = (page) => page.evaluate(() => { const r = document.getElementById('chart').getBoundingClientRect(); return { left: r.left, top: r.top, width: r.width }; });
const only = (rects, name) => { const r = rects.filter((d) => d.name === name); assert.equal(r.length, 1, `one ${name} frame drawn`); return r[0]; };
const centre = (box, d) => [box.left + d.x + d.w / 2, box.top + d.y + 9];
// The canvas's pixel at a point of the chart.
const pixel = (page, x, y) => page.evaluate(([x, y]) => {
  const canvas = document.getElementById('canvas'), dpr = window.devicePixelRatio || 1;
  const top = canvas.getBoundingClientRect().top - document.getElementById('chart').getBoundingClientRect().top;
  return Array.from(canvas.getContext('2d').getImageData(Math.floor(x * dpr), Math.floor((y - top) * dpr), 1, 1).data.slice(0, 3));
}, [x, y]);
// Width in pixels of the run of one colour that starts at the frame's left edge: the rendered width.
const paintedWidth = (page, d) => page.evaluate(([x0, y]) => {
  const canvas = document.getElementById('canvas'), dpr = window.devicePixelRatio || 1;
  const row = canvas.getContext('2d').getImageData(0, Math.floor((y + 2) * dpr), canvas.width, 1).data;
  const at = (x) => row.slice(4 * x, 4 * x + 3).join();
  const start = Math.ceil(x0 * dpr), colour = at(start);
  let x = start;
  while (x < canvas.width && at(x) === colour) x++;
  return (x - start) / dpr;
}, [d.x, d.y]);

test('export --format html: widths, zoom, search and tooltips in chromium', async () => {
  run(WPROF, ['export', '--format', 'html', 'new.db', '-o', 'new.html']); // no time: weighed by calls
  // By hand (phases.c, 30 10 5): main;alpha is 30 + 30 calls wide, main;beta 10 + 10.
  assert.equal(inclusiveCalls('new.db', 'main;alpha'), 60);
  assert.equal(inclusiveCalls('new.db', 'main;beta'), 20);
  const { page, errors } = await open('new.html');
  const box = await chartBox(page);
  let rects = await drawn(page);
  const all = only(rects, 'all'), main = only(rects, 'main'), alpha = only(rects, 'alpha'), beta = only(rects, 'beta');
  assert.ok(Math.abs(all.w - box.width) < 0.5, `'all' spans the chart (${all.w} of ${box.width})`);
  const total = Number(sql('new.db', 'SELECT SUM(calls) FROM call_paths'));
  assert.ok(Math.abs(alpha.w / all.w - 60 / total) < 1e-9, `alpha: ${alpha.w} of ${all.w} px, 60 of ${total} calls`);
  assert.ok(Math.abs(alpha.w / beta.w - 3) < 1e-9, `alpha / beta: ${alpha.w} / ${beta.w} px`);
  assert.ok(Math.abs(main.w / all.w - inclusiveCalls('new.db', 'main') / total) < 1e-9, 'main as wide as its calls');
  // ... and as painted: runs of the frames' colours (each 1 px less, the gap), within a pixel
  const [alphaPainted, betaPainted] = [await paintedWidth(page, alpha), await paintedWidth(page, beta)];
  assert.ok(Math.abs(alphaPainted - (alpha.w - 1)) <= 1 && Math.abs(betaPainted - (beta.w - 1)) <= 1,
    `painted ${alphaPainted} and ${betaPainted} px for ${alpha.w} and ${beta.w}`);
  const paintedRatio = (alphaPainted + 1) / (betaPainted + 1); // each frame's 1 px gap back
  assert.ok(Math.abs(paintedRatio - 3) < 3 * 2 / betaPainted, `painted ratio ${paintedRatio}`);

  // Tooltip of alpha: 60 calls in all, 30 of its own.
  await page.mouse.move(...centre(box, alpha));
  const tip = await page.textContent('#tooltip');
  assert.match(tip, /^alpha\n/);
  assert.match(tip, /\ncalls: 60 \([\d.]+%\), self 30\n?/);
  // Tooltip of main;omega;malloc: its alloc_sites row, 5 blocks of 100 bytes.
  const omega = only(rects, 'omega');
  const malloc = rects.find((d) => d.name === 'malloc' && d.y === omega.y + 18 && d.x >= omega.x && d.x < omega.x + omega.w);
  await page.mouse.move(...centre(box, malloc));
  assert.match(await page.textContent('#tooltip'), /\nalloc_bytes: 500 B \([\d.]+%\), self 500 B/);

  // Click on alpha: it becomes the full width, leaf (30 of its 60 calls) half of it, beta is gone.
  await page.mouse.click(...centre(box, alpha));
  await page.waitForFunction(() => window.wprofFlame.zoom() !== 0);
  rects = await drawn(page);
  const zoomed = only(rects, 'alpha'), leaf = only(rects, 'leaf');
  assert.ok(zoomed.x === 0 && Math.abs(zoomed.w - box.width) < 0.5, `zoomed alpha at ${zoomed.x}, ${zoomed.w} px`);
  assert.ok(leaf.x === 0 && Math.abs(leaf.w - box.width / 2) < 1e-6, `leaf ${leaf.w} px`);
  assert.equal(rects.filter((d) => d.name === 'beta').length, 0);
  assert.ok(Math.abs((await paintedWidth(page, zoomed)) - (box.width - 1)) <= 1, 'zoomed alpha painted full width');

  // Search: three frames are leaf (under alpha, beta and omega), highlighted in magenta.
  await page.click('#reset');
  await page.fill('#search', 'leaf');
  await page.waitForFunction(() => document.getElementById('matches').textContent !== '');
  assert.match(await page.textContent('#matches'), /^3 frames match/);
  rects = await drawn(page);
  const leaves = rects.filter((d) => d.name === 'leaf');
  assert.equal(leaves.length, 3);
  for (const d of leaves) assert.deepEqual(await pixel(page, d.x + 1, d.y + 9), [230, 0, 230], 'a highlighted leaf');
  assert.notDeepEqual(await pixel(page, alpha.x + 1, alpha.y + 9), [230, 0, 230], 'alpha is not highlighted');
  assert.deepEqual(errors, []);
  await page.close();
});

test('diff --flame: grown frames red, shrunk blue, new ones purple, in chromium', async () => {
  const plain = run(WPROF, ['diff', 'base.db', 'new.db']);
  assert.equal(run(WPROF, ['diff', 'base.db', 'new.db', '--flame', 'diff.html']), plain, 'the report is unchanged');
  const { page, errors } = await open('diff.html');
  const box = await chartBox(page);
  const rects = await drawn(page);
  const colour = (name) => { const d = only(rects, name); return pixel(page, d.x + d.w / 2, d.y + 9); };
  const [r1, g1, b1] = await colour('alpha'); // 10 -> 30 calls
  assert.ok(r1 > 200 && g1 < 120 && b1 < 120, `alpha grew: rgb(${r1},${g1},${b1})`);
  const [r2, g2, b2] = await colour('beta'); // 30 -> 10 calls
  assert.ok(b2 > 200 && r2 < 120 && g2 < 120, `beta shrank: rgb(${r2},${g2},${b2})`);
  assert.deepEqual(await colour('omega'), [170, 90, 230], 'omega is only in new');
  assert.deepEqual(await colour('main'), [235, 235, 235], 'main: 1 call in both');
  const alpha = only(rects, 'alpha');
  assert.ok(Math.abs(alpha.w / only(rects, 'beta').w - 3) < 1e-9, 'widths are new\'s calls');
  await page.mouse.move(...centre(box, alpha));
  assert.match(await page.textContent('#tooltip'), /\ncalls self: base 10, new 30, delta \+20 \(\+200\.00%\)\ncalls total: base 20, new 60, delta \+40/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a profile of 100,000 frames renders, zooms and searches in a few seconds', async () => {
  // new.db with 1,000 more functions and 100,000 more paths below main, each under a random
  // earlier one (paths of one function under one caller merge: about 90,000 frames)
  fs.copyFileSync(path.join(work, 'new.db'), path.join(work, 'wide.db'));
  const main = sql('wide.db', "SELECT p.id FROM call_paths p JOIN functions f USING (fid) WHERE f.name = 'main'");
  sql('wide.db', `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
      INSERT INTO functions SELECT 100000 + i, 100000 + i, 'f' || i, 0, 1, NULL, 0, NULL, NULL FROM n;
    WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
      INSERT INTO call_paths SELECT 1000000 + i, CASE WHEN i < 20 THEN ${main} ELSE 1000000 + 1 + abs(random()) % (i - 1) END,
        100001 + abs(random()) % 1000, 2, 0, 1 + abs(random()) % 9, 0, 0, 0, 0, 0, 0 FROM c;`);
  run(WPROF, ['export', '--format', 'html', 'wide.db', '-o', 'wide.html']);
  const frames = JSON.parse(/<script id="profile" type="application\/json">\n(.*?)\n<\/script>/s
    .exec(fs.readFileSync(path.join(work, 'wide.html'), 'utf8'))[1]).parent.length;
  assert.ok(frames > 80000, `${frames} frames`);
  const start = Date.now();
  const { page, errors } = await open('wide.html');
  const loaded = Date.now() - start;
  const box = await chartBox(page);
  const rects = await drawn(page);
  assert.ok(rects.length > 100 && rects.every((d) => d.w >= 1), `${rects.length} frames drawn, none under a pixel`);
  const f = rects.find((d) => /^f\d+$/.test(d.name) && d.w > 20);
  let t = Date.now();
  await page.mouse.click(...centre(box, f));
  await page.waitForFunction(() => window.wprofFlame.zoom() !== 0);
  const zoom = Date.now() - t;
  t = Date.now();
  await page.fill('#search', 'f1');
  await page.waitForFunction(() => document.getElementById('matches').textContent !== '');
  const search = Date.now() - t;
  console.log(`# ${frames} frames: loaded and drawn in ${loaded} ms, zoom ${zoom} ms, search ${search} ms`);
  assert.ok(loaded < 8000 && zoom < 3000 && search < 3000, `loaded ${loaded} ms, zoom ${zoom} ms, search ${search} ms`);
  assert.deepEqual(errors, []);
  await page.close();
});
