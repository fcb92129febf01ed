import { h, linkRow, table, stateBadge, time, duration, progressBar, replaceKeepingFocus } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { frame } from './common.js';

export function jobRows(jobs) {
  return jobs.map(j => linkRow(`job:${j.id}`, `#/jobs/${encodeRfc3986(j.id)}`, `Job ${j.name} (${j.id}), ${j.state}`, [
    h('td', null, h('a', { href: `#/jobs/${encodeRfc3986(j.id)}`, tabindex: -1 }, j.name), h('div', { class: 'id' }, j.id)),
    stateBadge(j.state),
    progressBar(j.metrics),
    j.clusterId ? h('a', { href: `#/clusters/${encodeRfc3986(j.clusterId)}`, tabindex: -1 }, j.clusterId) : '—',
    String(j.priority),
    time(j.createdAt),
    duration(j.startedAt, j.endedAt),
  ]));
}

export const jobHeadings = ['Job', 'State', 'Instances', 'Cluster', 'Priority', 'Submitted', 'Duration'];

export function jobsView(api) {
  const view = frame('Jobs');
  const rows = h('tbody');
  const note = h('p', { class: 'hint' });
  view.body.append(table('Jobs of this account', jobHeadings, rows), note);
  return {
    title: 'Jobs',
    element: view.element,
    async refresh() {
      const { items, truncated } = await api.list(path('jobs'));
      note.textContent = items.length === 0 ? 'No jobs yet: sluice job submit job.yaml --cluster … runs one.' : truncated ? `Showing the first ${items.length}.` : '';
      replaceKeepingFocus(rows, jobRows(items));
    },
  };
}
