// Preloaded (`node --import`) into a process whose set-up child processes a test acts on (src/onnx/setup-process.ts):
// the preload is inherited by the child, which stops itself (SIGSTOP) as it starts, so the test finds it alive and can
// kill it, or kill its parent, at an exact point whatever the machine's speed. In the parent it does nothing.
if (/setup-process-child\.[jt]s$/.test(process.argv[1] ?? '')) process.kill(process.pid, 'SIGSTOP');
