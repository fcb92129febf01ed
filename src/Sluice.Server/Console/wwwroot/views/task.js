import { h, linkRow, table, stateBadge, time, duration, progressBar, facts, replaceKeepingFocus } from '../dom.js';
import { path } from '../api.js';
import { encodeRfc3986 } from '../sigv4.js';
import { frame } from './common.js';

export const instanceHref = (jobId, task, index) => `#/jobs/${encodeRfc3986(jobId)}/tasks/${encodeRfc3986(task)}/instances/${index}`;

export function taskView(api, jobId, taskName) {
  const view = frame(taskName, [['Jobs', '#/jobs'], [jobId, `#/jobs/${encodeRfc3986(jobId)}`], [taskName]]);
  const summary = h('div');
  const rows = h('tbody');
  const note = h('p', { class: 'hint' });
  view.body.append(summary, table('Instances', ['Instance', 'State', 'Node', 'Host', 'Attempts', 'Exit code', 'Error', 'Started', 'Duration'], rows), note);
  return {
    title: `Task ${taskName} of ${jobId}`,
    element: view.element,
    async refresh() {
      const [task, instances] = await Promise.all([
        api.get(path('jobs', jobId, 'tasks', taskName)), api.list(path('jobs', jobId, 'tasks', taskName, 'instances'))]);
      summary.replaceChildren(facts([
        ['State', stateBadge(task.state)], ['Instances', progressBar(task.metrics, 240)], ['Command line', h('code', null, task.commandLine)],
        ['Retries allowed', String(task.maxRetryCount)], ['Timeout', task.timeout ? `${task.timeout} s` : 'none'],
        ['Resources', `${task.cpu} vCPU, ${task.memoryMiB} MiB`], ['Runs before', task.successors.join(', ') || '—'],
      ]));
      note.textContent = instances.truncated ? `Showing the first ${instances.items.length} instances.` : '';
      replaceKeepingFocus(rows, instances.items.map(i => linkRow(`instance:${i.index}`, instanceHref(jobId, taskName, i.index), `Instance ${i.index}, ${i.state}`, [
        h('td', null, h('a', { href: instanceHref(jobId, taskName, i.index), tabindex: -1 }, String(i.index))),
        stateBadge(i.state), i.nodeId ?? '—', i.host ?? '—', String(i.attempts), i.exitCode ?? '—',
        i.errorCode ? `${i.errorCode}${i.errorMessage ? ': ' + i.errorMessage : ''}` : '—', time(i.startedAt), duration(i.startedAt, i.endedAt),
      ])));
    },
  };
}
