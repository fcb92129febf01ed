import { h, stateBadge, time, duration, facts, reason } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { logViewer } from '../logview.js';
import { frame, actionButton, stateWatcher } from './common.js';

const Cancellable = ['Pending', 'Running'];

export function stepView(api, clusterId, stepId) {
  const view = frame(stepId, [['Clusters', '#/clusters'], [clusterId, `#/clusters/${encodeRfc3986(clusterId)}`], [stepId]]);
  const summary = h('div');
  const watch = stateWatcher(() => `Step ${stepId}`);
  const logs = logViewer(api, { streams: ['controller', 'stdout', 'stderr'], target: log => path('clusters', clusterId, 'steps', stepId, 'logs', log), label: `step ${stepId}` });
  view.actions.append(actionButton(view.notice, {
    label: 'Cancel step',
    title: 'Cancel this step?',
    message: `A pending step is cancelled; a running one is interrupted and killed after a grace period.`,
    run: () => api.post(path('clusters', clusterId, 'steps', stepId, 'cancel')),
  }));
  view.body.append(summary, h('h2', null, 'Logs'), logs.element);
  return {
    title: `Step ${stepId}`,
    element: view.element,
    dispose: logs.dispose,
    async refresh() {
      const step = await api.get(path('clusters', clusterId, 'steps', stepId));
      watch(step.state);
      view.heading.textContent = step.name;
      view.actions.hidden = !Cancellable.includes(step.state);
      summary.replaceChildren(facts([
        ['Id', step.id], ['Type', step.type], ['State', stateBadge(step.state)], ['Why', reason(step.stateChangeReason) || '—'],
        step.failureDetails ? ['Failure', `${step.failureDetails.reason ?? ''} ${step.failureDetails.message ?? ''} ${step.failureDetails.logFile ?? ''}`.trim()] : null,
        ['Action on failure', step.actionOnFailure], ['Created', time(step.createdAt)], ['Started', time(step.startedAt)],
        ['Duration', duration(step.startedAt, step.endedAt)],
      ]));
    },
  };
}
