// every runs fn now and again ms after each run ends (never two at once,
// so a slow gateway is not piled on), while the tab is visible. A 429
// waits the Retry-After the API asked for. stop() ends it; now() runs it
// at once (after an action whose effect should show without delay).
import { ApiError } from './api.js';

export function every(ms, fn) {
  let timer = 0;
  let running = false;
  let stopped = false;
  let again = false;

  const schedule = (delay) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(run, delay);
  };

  async function run() {
    if (stopped) return;
    if (document.hidden) return; // resumed by visibilitychange
    if (running) { again = true; return; }
    running = true;
    let delay = ms;
    try {
      await fn();
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) delay = Math.max(ms, err.retryAfter * 1000);
      else if (err instanceof ApiError && err.status === 401) window.dispatchEvent(new CustomEvent('console:unauthorized'));
      else if (!(err && err.name === 'AbortError')) console.warn('console poll:', err);
    } finally {
      running = false;
    }
    if (again) { again = false; delay = 0; }
    schedule(delay);
  }

  const onVisible = () => { if (!document.hidden) schedule(0); };
  document.addEventListener('visibilitychange', onVisible);
  schedule(0);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    },
    now() { schedule(0); },
  };
}
