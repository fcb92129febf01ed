import { h, linkRow, table, stateBadge, time, replaceKeepingFocus } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { frame } from './common.js';

export function clustersView(api) {
  const view = frame('Clusters');
  const rows = h('tbody');
  const note = h('p', { class: 'hint' });
  view.body.append(table('Clusters of this account', ['Cluster', 'State', 'Instance groups', 'Backend', 'Created', 'Ready'], rows), note);
  return {
    title: 'Clusters',
    element: view.element,
    async refresh() {
      const { items, truncated } = await api.list(path('clusters'));
      note.textContent = items.length === 0 ? 'No clusters yet: sluice cluster create … makes one.' : truncated ? `Showing the first ${items.length}.` : '';
      replaceKeepingFocus(rows, items.map(c => linkRow(`cluster:${c.id}`, `#/clusters/${encodeRfc3986(c.id)}`, `Cluster ${c.name} (${c.id}), ${c.state}`, [
        h('td', null, h('a', { href: `#/clusters/${encodeRfc3986(c.id)}`, tabindex: -1 }, c.name), h('div', { class: 'id' }, c.id)),
        stateBadge(c.state),
        c.instanceGroups.map(g => `${g.name} ${g.role} ${g.runningCount}/${g.requestedCount}`).join(', '),
        c.backend,
        time(c.createdAt),
        time(c.readyAt),
      ])));
    },
  };
}
