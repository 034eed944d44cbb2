/** Writes ever newer versions of one large JSON file with the lab's atomic writer until it is killed. */
import { writeFileAtomic } from '../../../src/main/engine/io/atomic-write';

const [target, megabytes] = process.argv.slice(2);
const pad = 'x'.repeat(Number(megabytes) * 1024 * 1024);
for (let version = 1; ; version++) writeFileAtomic(target!, JSON.stringify({ version, pad }));
