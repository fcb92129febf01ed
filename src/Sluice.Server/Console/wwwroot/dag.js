// A job's tasks as a graph: columns by depth in the DAG, each task a box with its own progress.
import { s } from './dom.js';
import { encodeRfc3986 } from './sigv4.js';

const W = 190, H = 64, GapX = 70, GapY = 22, Pad = 12;

/** Depth of each task: the longest path to it from a task nothing runs before. */
function layers(tasks) {
  const byName = new Map(tasks.map(t => [t.name, t]));
  const indegree = new Map(tasks.map(t => [t.name, 0]));
  for (const t of tasks) for (const next of t.successors) if (indegree.has(next)) indegree.set(next, indegree.get(next) + 1);
  const depth = new Map();
  const ready = tasks.filter(t => indegree.get(t.name) === 0).map(t => t.name).sort();
  for (const name of ready) depth.set(name, 0);
  while (ready.length > 0) {
    const name = ready.shift();
    for (const next of byName.get(name).successors) {
      if (!indegree.has(next)) continue;
      depth.set(next, Math.max(depth.get(next) ?? 0, depth.get(name) + 1));
      indegree.set(next, indegree.get(next) - 1);
      if (indegree.get(next) === 0) ready.push(next);
    }
  }
  const columns = [];
  for (const t of tasks) {
    const d = depth.get(t.name) ?? 0;
    (columns[d] ??= []).push(t);
  }
  return columns;
}

export function dagGraph(jobId, tasks) {
  const columns = layers(tasks);
  const position = new Map();
  columns.forEach((column, c) => {
    // Order each column by where its predecessors sit, so edges cross less.
    const predecessorRow = t => {
      const rows = tasks.filter(p => p.successors.includes(t.name) && position.has(p.name)).map(p => position.get(p.name).row);
      return rows.length ? rows.reduce((a, b) => a + b, 0) / rows.length : 0;
    };
    column.sort((a, b) => predecessorRow(a) - predecessorRow(b) || (a.name < b.name ? -1 : 1));
    column.forEach((t, row) => position.set(t.name, { col: c, row }));
  });
  const rows = Math.max(1, ...columns.map(c => c.length));
  const width = Pad * 2 + columns.length * W + (columns.length - 1) * GapX;
  const height = Pad * 2 + rows * H + (rows - 1) * GapY;
  const xy = name => {
    const p = position.get(name);
    const columnHeight = columns[p.col].length * H + (columns[p.col].length - 1) * GapY;
    return { x: Pad + p.col * (W + GapX), y: Pad + (height - 2 * Pad - columnHeight) / 2 + p.row * (H + GapY) };
  };
  const svg = s('svg', { class: 'dag', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': `Task graph of job ${jobId}` },
    s('defs', null, s('marker', { id: 'dag-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'dag-arrow' }))));
  for (const t of tasks) {
    for (const next of t.successors) {
      if (!position.has(next)) continue;
      const a = xy(t.name), b = xy(next);
      const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x, y2 = b.y + H / 2, mid = (x1 + x2) / 2;
      svg.append(s('path', { class: 'dag-edge', d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, 'marker-end': 'url(#dag-arrow)' }));
    }
  }
  for (const t of tasks) {
    const { x, y } = xy(t.name);
    const m = t.metrics;
    const total = m.waitingCount + m.runningCount + m.finishedCount + m.failedCount + m.stoppedCount;
    const label = `task ${t.name}: ${t.state}, ${m.finishedCount} of ${total} finished, ${m.runningCount} running, ${m.failedCount} failed`;
    const node = s('a', { href: `#/jobs/${encodeRfc3986(jobId)}/tasks/${encodeRfc3986(t.name)}`, class: 'dag-node', 'data-state': t.state, 'data-key': `task:${t.name}`, 'aria-label': label },
      s('title', null, label),
      s('rect', { x, y, width: W, height: H, rx: 6, class: 'dag-box' }),
      s('text', { x: x + 10, y: y + 20, class: 'dag-name' }, t.name.length > 24 ? t.name.slice(0, 23) + '…' : t.name),
      s('text', { x: x + 10, y: y + 38, class: 'dag-detail' }, `${t.state} · ${m.finishedCount}/${total}`));
    let offset = 0;
    const barWidth = W - 20;
    node.append(s('rect', { x: x + 10, y: y + 46, width: barWidth, height: 8, rx: 2, class: 'track' }));
    for (const [field, name] of [['finishedCount', 'finished'], ['runningCount', 'running'], ['failedCount', 'failed'], ['stoppedCount', 'stopped']]) {
      const w = total === 0 ? 0 : (m[field] / total) * barWidth;
      if (w > 0) node.append(s('rect', { x: x + 10 + offset, y: y + 46, width: w, height: 8, class: `seg-${name}` }));
      offset += w;
    }
    svg.append(node);
  }
  return svg;
}
