// Running instances of a cluster over time, from the samples this page took while it was open.
import { s } from './dom.js';

const Keep = 180;
const samples = new Map();

/** Records one sample for a cluster; kept for the browser tab's session, at most the last 180. */
export function sample(clusterId, running) {
  const list = samples.get(clusterId) ?? [];
  list.push({ at: Date.now(), running });
  if (list.length > Keep) list.splice(0, list.length - Keep);
  samples.set(clusterId, list);
}

export function runningChart(clusterId, slots) {
  const list = samples.get(clusterId) ?? [];
  const width = 360, height = 110, left = 34, bottom = 18, top = 8;
  const max = Math.max(1, slots ?? 0, ...list.map(p => p.running));
  const now = list.length ? list[list.length - 1].at : Date.now();
  const start = list.length ? list[0].at : now;
  const span = Math.max(1, now - start);
  const x = at => left + ((at - start) / span) * (width - left - 4);
  const y = v => top + (1 - v / max) * (height - top - bottom);
  const latest = list.length ? list[list.length - 1].running : 0;
  const label = `Running instances: ${latest} now, at most ${Math.max(0, ...list.map(p => p.running))} in the last ${Math.round(span / 1000)} s`;
  const svg = s('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label },
    s('title', null, label),
    s('line', { x1: left, y1: y(0), x2: width - 4, y2: y(0), class: 'axis' }),
    s('line', { x1: left, y1: y(max), x2: width - 4, y2: y(max), class: 'grid' }),
    s('text', { x: left - 4, y: y(max) + 4, class: 'axis-label', 'text-anchor': 'end' }, String(max)),
    s('text', { x: left - 4, y: y(0) + 4, class: 'axis-label', 'text-anchor': 'end' }, '0'),
    s('text', { x: left, y: height - 4, class: 'axis-label' }, list.length > 1 ? `${Math.round(span / 1000)} s ago` : ''),
    s('text', { x: width - 4, y: height - 4, class: 'axis-label', 'text-anchor': 'end' }, 'now'));
  if (list.length > 1) {
    // A step line: the count holds until the next sample says otherwise.
    let d = `M ${x(list[0].at)} ${y(list[0].running)}`;
    for (let i = 1; i < list.length; i++) d += ` H ${x(list[i].at)} V ${y(list[i].running)}`;
    svg.append(s('path', { d: `${d} V ${y(0)} H ${x(list[0].at)} Z`, class: 'chart-area' }), s('path', { d, class: 'chart-line' }));
  }
  return svg;
}
