// Small DOM helpers. Text always goes in as text (never parsed as HTML), so nothing an API answer holds can run.
const SVG = 'http://www.w3.org/2000/svg';

function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export const h = (tag, attributes, ...children) => build(document.createElement(tag), attributes, children);
export const s = (tag, attributes, ...children) => build(document.createElementNS(SVG, tag), attributes, children);

/**
 * Replaces a container's children and gives focus back to the element with the same data-key, if it had it.
 * A table body with no rows says so in one row across its columns.
 */
export function replaceKeepingFocus(container, children) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : undefined;
  if (children.length === 0 && container.tagName === 'TBODY') {
    const columns = container.closest('table')?.querySelectorAll('thead th').length ?? 1;
    children = [h('tr', null, h('td', { class: 'empty', colspan: columns }, 'None'))];
  }
  container.replaceChildren(...children);
  if (key !== undefined) {
    container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
  }
}

/** A table row that opens `href`: focusable, Enter opens it, a click anywhere on it too. */
export function linkRow(key, href, label, cells) {
  const open = () => { location.hash = href; };
  return h('tr', {
    class: 'link-row', tabindex: 0, 'data-key': key, 'aria-label': label,
    onclick: e => { if (!e.target.closest('a, button')) open(); },
    onkeydown: e => { if (e.key === 'Enter' && e.target === e.currentTarget) open(); },
  }, cells.map(c => (c instanceof Node && c.tagName === 'TD' ? c : h('td', null, c))));
}

export const table = (caption, headings, body) =>
  h('table', null, h('caption', null, caption), h('thead', null, h('tr', null, headings.map(x => h('th', { scope: 'col' }, x)))), body);

export const stateBadge = state => h('span', { class: 'state', 'data-state': state ?? 'Unknown' }, state ?? '—');

const Segments = [
  ['finishedCount', 'finished'], ['runningCount', 'running'], ['failedCount', 'failed'], ['stoppedCount', 'stopped'], ['waitingCount', 'waiting'],
];

/** Instance counts by state as one stacked bar (SVG, so the page needs no inline styles). */
export function progressBar(metrics, width = 160) {
  const total = Segments.reduce((sum, [field]) => sum + (metrics?.[field] ?? 0), 0);
  const label = total === 0 ? 'no instances'
    : Segments.filter(([f]) => metrics[f] > 0).map(([f, name]) => `${metrics[f]} ${name}`).join(', ') + ` of ${total}`;
  const bar = s('svg', { class: 'progress', width, height: 10, viewBox: `0 0 ${width} 10`, role: 'img', 'aria-label': label },
    s('title', null, label), s('rect', { class: 'track', width, height: 10, rx: 2 }));
  let x = 0;
  for (const [field, name] of Segments) {
    const w = total === 0 ? 0 : (metrics[field] / total) * width;
    if (w > 0) bar.append(s('rect', { class: `seg-${name}`, x, width: w, height: 10 }));
    x += w;
  }
  return h('span', { class: 'progress-cell' }, bar, h('span', { class: 'progress-text' }, `${metrics?.finishedCount ?? 0}/${total}`));
}

export function time(value) {
  if (!value) return '—';
  const date = new Date(value);
  return h('time', { datetime: date.toISOString(), title: date.toISOString() },
    date.toDateString() === new Date().toDateString() ? date.toLocaleTimeString() : date.toLocaleString());
}

export function duration(start, end) {
  if (!start) return '—';
  const seconds = Math.max(0, Math.round(((end ? new Date(end) : new Date()) - new Date(start)) / 1000));
  const h_ = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), sec = seconds % 60;
  return h_ > 0 ? `${h_}h ${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m ${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export const reason = r => (r ? `${r.code}${r.message ? ': ' + r.message : ''}` : '');

/** Says something to screen readers without moving focus. */
export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A fresh text node is what makes a live region speak the same words twice.
  requestAnimationFrame(() => { region.textContent = text; });
}

/** Asks before an action; resolves true when confirmed. Escape or Cancel resolve false. */
export function confirmAction({ title, message, action }) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-message').textContent = message;
  const ok = document.getElementById('confirm-ok');
  ok.textContent = action;
  const cancel = document.getElementById('confirm-cancel');
  return new Promise(resolve => {
    const done = answer => {
      ok.removeEventListener('click', yes);
      cancel.removeEventListener('click', no);
      dialog.removeEventListener('close', no);
      if (dialog.open) dialog.close();
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    ok.addEventListener('click', yes);
    cancel.addEventListener('click', no);
    dialog.addEventListener('close', no);
    dialog.showModal();
  });
}

/** A definition list of label/value pairs. */
export const facts = pairs =>
  h('dl', { class: 'facts' }, pairs.filter(p => p).flatMap(([label, value]) => [h('dt', null, label), h('dd', null, value ?? '—')]));

export function formatBytes(n) {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}
