import { h, linkRow, table, stateBadge, time, duration, progressBar, facts, reason, replaceKeepingFocus } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { dagGraph } from '../dag.js';
import { frame, actionButton, stateWatcher, timeline, eventFeed } from './common.js';

export function jobView(api, jobId) {
  const view = frame(jobId, [['Jobs', '#/jobs'], [jobId]]);
  const summary = h('div');
  const graph = h('div', { class: 'dag-scroll' });
  const tasks = h('tbody');
  const events = h('div');
  const readEvents = eventFeed(api, path('jobs', jobId, 'events'));
  const watch = stateWatcher(() => `Job ${jobId}`);
  const stop = actionButton(view.notice, {
    label: 'Stop job', title: 'Stop this job?', message: `Job ${jobId}'s running instances are killed and the rest never start.`,
    run: () => api.post(path('jobs', jobId, 'stop')),
  });
  const restart = actionButton(view.notice, {
    label: 'Restart job', title: 'Restart this job?', danger: false,
    message: `Job ${jobId} runs again; its finished instances are kept.`,
    run: () => api.post(path('jobs', jobId, 'restart')),
  });
  const remove = actionButton(view.notice, {
    label: 'Delete job', title: 'Delete this job?', message: `Job ${jobId} and its logs are deleted; this cannot be undone.`,
    run: () => api.delete(path('jobs', jobId)),
    done: () => { location.hash = '#/jobs'; },
  });
  view.actions.append(stop, restart, remove);
  view.body.append(summary,
    h('section', { 'aria-labelledby': 'dag-title' }, h('h2', { id: 'dag-title' }, 'Task graph'), graph),
    h('section', null, table('Tasks', ['Task', 'State', 'Instances', 'Command line', 'Retries', 'Started', 'Duration'], tasks)),
    h('section', { 'aria-labelledby': 'job-events-title' }, h('h2', { id: 'job-events-title' }, 'Events'), events));
  return {
    title: `Job ${jobId}`,
    element: view.element,
    async refresh() {
      const [job, taskList, eventList] = await Promise.all([
        api.get(path('jobs', jobId)), api.list(path('jobs', jobId, 'tasks')), readEvents()]);
      watch(job.state);
      view.heading.textContent = job.name;
      stop.hidden = !['Waiting', 'Running'].includes(job.state);
      restart.hidden = !['Stopped', 'Failed'].includes(job.state);
      remove.hidden = !['Finished', 'Failed', 'Stopped'].includes(job.state);
      summary.replaceChildren(facts([
        ['Id', job.id], ['State', stateBadge(job.state)], ['Why', reason(job.stateChangeReason) || '—'], ['Instances', progressBar(job.metrics, 240)],
        ['Cluster', job.clusterId ? h('a', { href: `#/clusters/${encodeRfc3986(job.clusterId)}` }, job.clusterId) : '—'],
        ['Priority', String(job.priority)], ['Fails on an instance failure', job.jobFailOnInstanceFail ? 'yes' : 'no'],
        ['Submitted', time(job.createdAt)], ['Started', time(job.startedAt)], ['Duration', duration(job.startedAt, job.endedAt)],
      ]));
      const focusedTask = graph.contains(document.activeElement) ? document.activeElement.dataset.key : undefined;
      graph.replaceChildren(dagGraph(jobId, taskList.items));
      if (focusedTask) graph.querySelector(`[data-key="${CSS.escape(focusedTask)}"]`)?.focus();
      replaceKeepingFocus(tasks, taskList.items.map(t => linkRow(`task:${t.name}`, `#/jobs/${encodeRfc3986(jobId)}/tasks/${encodeRfc3986(t.name)}`, `Task ${t.name}, ${t.state}`, [
        h('td', null, h('a', { href: `#/jobs/${encodeRfc3986(jobId)}/tasks/${encodeRfc3986(t.name)}`, tabindex: -1 }, t.name)),
        stateBadge(t.state), progressBar(t.metrics), h('td', null, h('code', null, t.commandLine)), String(t.maxRetryCount),
        time(t.startedAt), duration(t.startedAt, t.endedAt),
      ])));
      events.replaceChildren(timeline(eventList));
    },
  };
}
