/**
 * Synchronous clean-up steps (kill a child by pid, remove a temp dir) that run once however the benchmark
 * ends: normal exit, an uncaught error, SIGINT or SIGTERM.
 */
const steps = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const step of [...steps].reverse()) {
    steps.delete(step);
    try {
      step();
    } catch {
      // best effort: the next step must still run
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  process.on('SIGINT', () => {
    runAll();
    process.exit(130);
  });
  process.on('SIGTERM', () => {
    runAll();
    process.exit(143);
  });
}

/**
 * Registers `step` to run at exit; returns a function that runs it now (once) and unregisters it.
 * Steps must be synchronous: at `exit` Node runs no more I/O callbacks.
 */
export function onCleanup(step: () => void): () => void {
  install();
  steps.add(step);
  return () => {
    if (!steps.delete(step)) return;
    step();
  };
}
