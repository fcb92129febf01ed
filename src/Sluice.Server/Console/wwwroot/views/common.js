// What the views share: the page frame of a resource, its actions and the state changes it announces.
import { h, announce, confirmAction } from '../dom.js';

/** A view's frame: a heading, a breadcrumb, an alert line for refusals and room for its sections. */
export function frame(title, crumbs) {
  const heading = h('h1', null, title);
  const notice = h('p', { class: 'notice', role: 'alert' });
  const actions = h('div', { class: 'actions' });
  const body = h('div', { class: 'view-body' });
  const nav = crumbs?.length
    ? h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('ol', null, crumbs.map(([label, href]) => h('li', null, href ? h('a', { href }, label) : label))))
    : null;
  return { element: h('article', null, nav, heading, actions, notice, body), heading, notice, actions, body };
}

/**
 * A button that asks first, then calls the API; a refusal (such as TerminationProtected) is shown with the API's own
 * message and code, and nothing else happens.
 */
export function actionButton(notice, { label, title, message, run, done, danger = true }) {
  return h('button', {
    type: 'button', class: danger ? 'danger' : undefined,
    onclick: async event => {
      const button = event.currentTarget;
      if (!(await confirmAction({ title, message, action: label }))) return;
      button.disabled = true;
      notice.textContent = '';
      try {
        const result = await run();
        announce(`${label}: done`);
        done?.(result);
      } catch (error) {
        notice.textContent = `${label} refused: ${error.message} (${error.code})`;
      } finally {
        button.disabled = false;
        button.focus();
      }
    },
  }, label);
}

/** Announces a resource's state when it changes between two refreshes (not at the first one). */
export function stateWatcher(describe) {
  let last;
  return state => {
    if (last !== undefined && last !== state) announce(`${describe()} is ${state}`);
    last = state;
  };
}

export function timeline(events) {
  if (events.length === 0) return h('p', null, 'No events yet.');
  return h('ol', { class: 'timeline' }, [...events].reverse().map(e =>
    h('li', { 'data-state': e.toState },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('time', { datetime: e.at }, new Date(e.at).toLocaleTimeString()), ' ',
      h('span', { class: 'event-what' }, `${e.resourceKind} ${e.resourceId}: ${e.fromState ? e.fromState + ' → ' : ''}${e.toState}`),
      e.reason ? h('span', { class: 'event-why' }, ` ${e.reason.code}${e.reason.message ? ' — ' + e.reason.message : ''}`) : null)));
}

/**
 * A resource's newest events, read incrementally: events are listed oldest first, so the feed resumes from the
 * marker of the last full page it read and keeps the newest `keep` it has seen.
 */
export function eventFeed(api, target, keep = 50) {
  let marker;
  let events = [];
  return async () => {
    for (;;) {
      const page = await api.get(target, { maxKeys: 1000, marker });
      const seen = events.length ? events[events.length - 1].sequence : -1;
      events = events.concat(page.items.filter(e => e.sequence > seen)).slice(-keep);
      if (!page.isTruncated) return events;
      marker = page.nextMarker;
    }
  };
}
