import { h, s, linkRow, table, stateBadge, time, duration, facts, reason, replaceKeepingFocus } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { sample, runningChart } from '../chart.js';
import { frame, actionButton, stateWatcher, timeline, eventFeed } from './common.js';
import { jobRows, jobHeadings } from './jobs.js';

const Ended = ['Terminated', 'TerminatedWithErrors'];

/** vCPUs in use per node: the cpu of every running instance of the cluster's running jobs, by the node it runs on. */
async function busySlots(api, jobs) {
  const busy = new Map();
  for (const job of jobs.filter(j => j.state === 'Running' && j.metrics.runningCount > 0)) {
    const tasks = (await api.list(path('jobs', job.id, 'tasks'))).items;
    for (const task of tasks.filter(t => t.metrics.runningCount > 0)) {
      const instances = (await api.list(path('jobs', job.id, 'tasks', task.name, 'instances'), { state: 'Running' })).items;
      for (const i of instances.filter(i => i.nodeId)) busy.set(i.nodeId, (busy.get(i.nodeId) ?? 0) + task.cpu);
    }
  }
  return busy;
}

function slotBar(used, total) {
  const width = 80;
  const label = `${used} of ${total} vCPU slots busy`;
  return h('span', { class: 'progress-cell' },
    s('svg', { class: 'progress', width, height: 10, viewBox: `0 0 ${width} 10`, role: 'img', 'aria-label': label },
      s('title', null, label), s('rect', { class: 'track', width, height: 10, rx: 2 }),
      s('rect', { class: 'seg-running', width: total ? (Math.min(used, total) / total) * width : 0, height: 10 })),
    h('span', { class: 'progress-text' }, `${used}/${total}`));
}

export function clusterView(api, clusterId) {
  const view = frame(clusterId, [['Clusters', '#/clusters'], [clusterId]]);
  const summary = h('div');
  const groups = h('tbody');
  const nodes = h('tbody');
  const steps = h('tbody');
  const jobs = h('tbody');
  const chart = h('figure', { class: 'chart-figure' });
  const events = h('div');
  const readEvents = eventFeed(api, path('clusters', clusterId, 'events'));
  const watch = stateWatcher(() => `Cluster ${clusterId}`);
  let cluster;

  view.actions.append(actionButton(view.notice, {
    label: 'Terminate cluster',
    title: 'Terminate this cluster?',
    message: `Cluster ${clusterId} and its nodes are released; anything still running on them is killed. A termination-protected cluster refuses.`,
    run: () => api.post(path('clusters', clusterId, 'terminate')),
  }));

  view.body.append(
    summary,
    h('section', { 'aria-labelledby': 'running-title' }, h('h2', { id: 'running-title' }, 'Running instances'), chart),
    h('section', null, table('Instance groups', ['Group', 'Role', 'Instance type', 'Market', 'Running / requested', 'vCPUs', 'Memory'], groups)),
    h('section', null, table('Nodes', ['Node', 'Role', 'State', 'Host', 'Busy slots', 'Started', 'Ended'], nodes)),
    h('section', null, table('Steps', ['Step', 'Type', 'State', 'Started', 'Duration', 'Action on failure'], steps)),
    h('section', null, table('Jobs on this cluster', jobHeadings, jobs)),
    h('section', { 'aria-labelledby': 'events-title' }, h('h2', { id: 'events-title' }, 'Events'), events));

  return {
    title: `Cluster ${clusterId}`,
    element: view.element,
    async refresh() {
      cluster = await api.get(path('clusters', clusterId));
      const [nodeList, stepList, jobList, eventList] = await Promise.all([
        api.list(path('clusters', clusterId, 'nodes')),
        api.list(path('clusters', clusterId, 'steps')),
        api.list(path('jobs')),
        readEvents(),
      ]);
      const mine = jobList.items.filter(j => j.clusterId === clusterId);
      const busy = await busySlots(api, mine);
      watch(cluster.state);
      view.heading.textContent = `${cluster.name}`;
      summary.replaceChildren(facts([
        ['Id', cluster.id], ['State', stateBadge(cluster.state)], ['Why', reason(cluster.stateChangeReason) || '—'],
        ['Termination protection', cluster.terminationProtected ? 'on' : 'off'], ['Keep alive', cluster.keepAlive ? 'yes' : 'no'],
        ['Backend', cluster.backend], ['Applications', cluster.applications.map(a => a.name).join(', ') || '—'],
        ['Log URI', cluster.logUri], ['Created', time(cluster.createdAt)], ['Ready', time(cluster.readyAt)], ['Ended', time(cluster.endedAt)],
      ]));
      view.actions.hidden = Ended.includes(cluster.state);
      const running = mine.reduce((sum, j) => sum + (j.state === 'Running' ? j.metrics.runningCount : 0), 0);
      const slots = nodeList.items.filter(n => !['Terminated', 'Preempted'].includes(n.state)).reduce((sum, n) => sum + n.vcpus, 0);
      if (!Ended.includes(cluster.state)) sample(clusterId, running);
      chart.replaceChildren(runningChart(clusterId, slots), h('figcaption', null, `Sampled every 2 s while this page is open; ${running} running now on ${slots} vCPU slots.`));
      replaceKeepingFocus(groups, cluster.instanceGroups.map(g => h('tr', null,
        h('td', null, g.name, h('div', { class: 'id' }, g.id)), h('td', null, g.role), h('td', null, g.instanceType), h('td', null, g.market),
        h('td', null, `${g.runningCount} / ${g.requestedCount}`), h('td', null, String(g.vcpus)), h('td', null, `${g.memoryMiB} MiB`))));
      replaceKeepingFocus(nodes, nodeList.items.map(n => h('tr', { 'data-key': `node:${n.id}` },
        h('td', null, n.id), h('td', null, n.role), h('td', null, stateBadge(n.state)), h('td', null, n.host ?? '—'),
        h('td', null, slotBar(busy.get(n.id) ?? 0, n.vcpus)), h('td', null, time(n.createdAt)), h('td', null, time(n.endedAt)))));
      replaceKeepingFocus(steps, stepList.items.map(st => linkRow(`step:${st.id}`, `#/clusters/${encodeRfc3986(clusterId)}/steps/${encodeRfc3986(st.id)}`, `Step ${st.name} (${st.id}), ${st.state}`, [
        h('td', null, h('a', { href: `#/clusters/${encodeRfc3986(clusterId)}/steps/${encodeRfc3986(st.id)}`, tabindex: -1 }, st.name), h('div', { class: 'id' }, st.id)),
        st.type, stateBadge(st.state), time(st.startedAt), duration(st.startedAt, st.endedAt), st.actionOnFailure,
      ])));
      replaceKeepingFocus(jobs, jobRows(mine));
      events.replaceChildren(timeline(eventList));
    },
  };
}
