// A stand-in engine entry for spawn.test.ts: reports the allocator settings it started with, then exits.
process.send(
  { mmap: process.env.MALLOC_MMAP_THRESHOLD_ ?? null, trim: process.env.MALLOC_TRIM_THRESHOLD_ ?? null },
  () => process.exit(0),
);
