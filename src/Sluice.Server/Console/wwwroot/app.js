// The console's shell: sign-in, the routes (#/clusters, #/jobs/j-…/tasks/work/instances/3, …) and the refresh loop.
import { Api, ApiError, path } from './api.js';
import { clustersView } from './views/clusters.js';
import { clusterView } from './views/cluster.js';
import { stepView } from './views/step.js';
import { jobsView } from './views/jobs.js';
import { jobView } from './views/job.js';
import { taskView } from './views/task.js';
import { instanceView } from './views/instance.js';

const RefreshEvery = 2000;
// The secret lives in this tab's session storage only: gone when the tab closes, never sent anywhere.
const SessionKey = 'sluice.console.key';
const region = document.querySelector('meta[name="sluice-region"]').content;

const $ = id => document.getElementById(id);
let api = null;
let current = null;
let timer = 0;
let generation = 0;

const routes = [
  [/^#\/clusters\/([^/]+)\/steps\/([^/]+)$/, (a, c, st) => stepView(a, c, st)],
  [/^#\/clusters\/([^/]+)$/, (a, c) => clusterView(a, c)],
  [/^#\/jobs\/([^/]+)\/tasks\/([^/]+)\/instances\/(\d+)$/, (a, j, t, i) => instanceView(a, j, t, Number(i))],
  [/^#\/jobs\/([^/]+)\/tasks\/([^/]+)$/, (a, j, t) => taskView(a, j, t)],
  [/^#\/jobs\/([^/]+)$/, (a, j) => jobView(a, j)],
  [/^#\/jobs$/, a => jobsView(a)],
  [/^(#\/clusters)?$/, a => clustersView(a)],
];

/** What a failed sign-in says: whether the key was unknown or the secret wrong is not told apart. */
function signInMessage(error) {
  switch (error.code) {
    case 'InvalidAccessKeyId':
    case 'SignatureDoesNotMatch':
    case 'MissingAuthentication':
      return 'Sign-in failed: the access key id or the secret is not right, or the key is disabled.';
    case 'RequestExpired':
      return "Sign-in failed: this computer's clock is more than 15 minutes from the server's. Set the clock and sign in again.";
    case 'InvalidRegion':
      return 'Sign-in failed: the page signed for another region than the server\'s. Reload the page.';
    case 'Unreachable':
      return 'Sign-in failed: the Sluice server did not answer.';
    default:
      return `Sign-in failed (${error.code}).`;
  }
}

async function signIn(keyId, secret) {
  const candidate = new Api(keyId, secret, region);
  const caller = await candidate.get(path('account'));
  api = candidate;
  sessionStorage.setItem(SessionKey, JSON.stringify({ keyId, secret }));
  $('who').textContent = `${caller.account.name} · ${caller.accessKeyId}`;
  for (const id of ['nav', 'who', 'sign-out']) $(id).hidden = false;
  $('sign-in').hidden = true;
  route();
}

function signOut(message = '') {
  sessionStorage.removeItem(SessionKey);
  api = null;
  stopView();
  $('view').replaceChildren();
  for (const id of ['nav', 'who', 'sign-out']) $(id).hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-form').reset();
  $('sign-in-error').textContent = message;
  document.title = 'Sign in · Sluice console';
  $('key-id').focus();
}

function stopView() {
  generation++;
  clearTimeout(timer);
  current?.dispose?.();
  current = null;
}

function route() {
  if (!api) return;
  stopView();
  const hash = location.hash;
  const match = routes.map(([pattern, make]) => [hash.match(pattern), make]).find(([m]) => m);
  const loadError = document.createElement('p');
  loadError.className = 'error';
  loadError.setAttribute('role', 'alert');
  if (!match) {
    loadError.textContent = `There is no page at ${hash}.`;
    $('view').replaceChildren(loadError);
    return;
  }
  const [m, make] = match;
  current = make(api, ...m.slice(1).filter(x => x !== undefined).map(decodeURIComponent));
  document.title = `${current.title} · Sluice console`;
  const section = hash.startsWith('#/jobs') ? 'jobs' : 'clusters';
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  $('view').replaceChildren(loadError, current.element);
  const mine = generation;
  const tick = async () => {
    try {
      await current.refresh();
      loadError.textContent = '';
    } catch (e) {
      if (mine !== generation) return;
      if (e instanceof ApiError && (e.code === 'InvalidAccessKeyId' || e.code === 'SignatureDoesNotMatch')) {
        signOut('The access key was refused (disabled or deleted); sign in again.');
        return;
      }
      loadError.textContent = e instanceof ApiError ? `${e.message} (${e.code})` : `The page failed: ${e.message}`;
    }
    if (mine === generation) timer = setTimeout(tick, RefreshEvery);
  };
  tick();
}

$('sign-in-form').addEventListener('submit', async event => {
  event.preventDefault();
  const keyId = $('key-id').value.trim();
  const secret = $('secret').value;
  const message = $('sign-in-error');
  if (!keyId || !secret) {
    message.textContent = 'Enter the access key id and the secret.';
    return;
  }
  message.textContent = 'Signing in…';
  try {
    await signIn(keyId, secret);
  } catch (error) {
    message.textContent = error instanceof ApiError ? signInMessage(error) : 'Sign-in failed.';
    $('secret').value = '';
    $('secret').focus();
  }
});
$('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => { route(); $('main').focus({ preventScroll: true }); });

const saved = sessionStorage.getItem(SessionKey);
if (saved) {
  const { keyId, secret } = JSON.parse(saved);
  signIn(keyId, secret).catch(error => signOut(error instanceof ApiError ? signInMessage(error) : ''));
} else {
  signOut();
}
