import { h, stateBadge, time, duration, facts } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { logViewer } from '../logview.js';
import { frame, stateWatcher } from './common.js';

export function instanceView(api, jobId, taskName, index) {
  const view = frame(`Instance ${index}`, [['Jobs', '#/jobs'], [jobId, `#/jobs/${encodeRfc3986(jobId)}`],
    [taskName, `#/jobs/${encodeRfc3986(jobId)}/tasks/${encodeRfc3986(taskName)}`], [`instance ${index}`]]);
  const summary = h('div');
  const watch = stateWatcher(() => `Instance ${index} of ${taskName}`);
  // The latest attempt's logs: what runs now, or what ran last.
  const logs = logViewer(api, {
    streams: ['stdout', 'stderr'], target: stream => path('jobs', jobId, 'tasks', taskName, 'instances', index, 'logs', stream),
    label: `instance ${index} of ${taskName}`,
  });
  view.body.append(summary, h('h2', null, 'Logs'), logs.element);
  return {
    title: `Instance ${index} of ${taskName}`,
    element: view.element,
    dispose: logs.dispose,
    async refresh() {
      const i = await api.get(path('jobs', jobId, 'tasks', taskName, 'instances', index));
      watch(i.state);
      summary.replaceChildren(facts([
        ['State', stateBadge(i.state)], ['Node', i.nodeId], ['Host', i.host], ['Attempts', String(i.attempts)],
        ['Exit code', i.exitCode ?? '—'], ['Error', i.errorCode ? `${i.errorCode}${i.errorMessage ? ': ' + i.errorMessage : ''}` : '—'],
        ['Started', time(i.startedAt)], ['Ended', time(i.endedAt)], ['Duration', duration(i.startedAt, i.endedAt)],
      ]));
    },
  };
}
