// BENCH_HEAP_PROF=<dir> preloads this into the platform's processes: V8's sampling heap profiler,
// keeping the samples of objects either GC has already collected, so the profile shows what a
// request allocates (garbage included), not only what is still alive. `node --heap-prof` keeps only
// the live ones. The profile is written when the process is told to stop; open it in Chrome
// DevTools (Memory, Load profile).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.BENCH_HEAP_PROF;
const name = process.env.BENCH_HEAP_PROF_NAME ?? String(process.pid);
if (dir) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  // BENCH_HEAP_PROF_SURVIVORS=1 leaves out what a young-generation collection reclaims: the profile
  // then shows what outlives one (promoted to the old generation), what makes those collections long.
  const survivors = process.env.BENCH_HEAP_PROF_SURVIVORS === '1';
  session.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors });
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // An in-process session answers synchronously.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(join(dir, `${name}.heapprofile`), JSON.stringify(result.profile));
    });
  };
  // Registered before the process's own handlers, so it runs before they stop the process.
  process.once('SIGTERM', write);
  process.once('SIGINT', write);
  process.once('exit', write);
}
