// A log that follows itself: reads from the last byte offset it has, until the API says the log is complete.
import { h, formatBytes } from './dom.js';

const Chunk = 64 * 1024;
const Tail = 256 * 1024;
const FollowEvery = 700;

/**
 * streams: the names the API serves (stdout, stderr, controller); target(stream): the log's path;
 * label: what the log belongs to, for its accessible name.
 */
export function logViewer(api, { streams, target, label, query = {} }) {
  const pre = h('pre', { class: 'log', role: 'log', tabindex: 0, 'aria-label': `${label}: ${streams[0]}` });
  const status = h('p', { class: 'log-status' });
  let run = { stopped: true };

  const buttons = streams.map(stream => h('button', {
    type: 'button', 'aria-pressed': 'false', 'data-stream': stream,
    onclick: () => show(stream),
  }, stream));

  async function follow(stream, me) {
    const decoder = new TextDecoder();
    let offset = 0;
    let first = true;
    while (!me.stopped) {
      let chunk;
      try {
        chunk = await api.log(target(stream), offset, Chunk, query);
      } catch (error) {
        status.textContent = `Cannot read the log: ${error.message} (${error.code})`;
        await new Promise(r => setTimeout(r, FollowEvery * 3));
        continue;
      }
      if (me.stopped) return;
      if (first && chunk.size > Tail) {
        // A long log opens at its end: the newest lines are what someone watching wants.
        offset = chunk.size - Tail;
        first = false;
        pre.append(`… the first ${formatBytes(offset)} are not shown …\n`);
        continue;
      }
      first = false;
      offset += chunk.bytes.length;
      if (chunk.bytes.length > 0) {
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.append(decoder.decode(chunk.bytes, { stream: true }));
        if (atBottom) pre.scrollTop = pre.scrollHeight;
      }
      const ended = chunk.complete && offset >= chunk.size;
      if (ended) pre.append(decoder.decode());
      status.textContent = `${formatBytes(chunk.size)} · ${ended ? 'complete' : 'following new lines'}`;
      status.dataset.complete = String(ended);
      if (ended) return;
      if (chunk.bytes.length < Chunk) await new Promise(r => setTimeout(r, FollowEvery));
    }
  }

  function show(stream) {
    run.stopped = true;
    run = { stopped: false };
    pre.replaceChildren();
    pre.setAttribute('aria-label', `${label}: ${stream}`);
    status.textContent = 'reading…';
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.stream === stream));
    follow(stream, run);
  }

  show(streams[0]);
  return {
    element: h('section', { class: 'log-viewer', 'aria-label': `Logs of ${label}` },
      h('div', { class: 'log-tabs', role: 'group', 'aria-label': 'Which log' }, buttons), pre, status),
    dispose: () => { run.stopped = true; },
  };
}
