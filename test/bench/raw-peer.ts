// The ceiling for the runtime benchmark: plain NATS with msgpackr between two processes, nothing else.
// echo: answers requests on raw.echo; sink: counts messages on raw.sink and reports the count on raw.sink.count.

import { Packr } from 'msgpackr';
import { connect } from 'nats';
import { TEST_NATS_USERS } from '../env/nats-users.js';

const packr = new Packr({ useRecords: false });
const nc = await connect({ servers: (process.env.NATS_URLS ?? '').split(','), ...TEST_NATS_USERS.runtime });
let count = 0;
nc.subscribe('raw.echo', { callback: (_e, m) => m.respond(packr.pack(packr.unpack(m.data))) });
nc.subscribe('raw.sink', {
  callback: (_e, m) => {
    packr.unpack(m.data);
    count++;
  },
});
nc.subscribe('raw.sink.count', { callback: (_e, m) => m.respond(packr.pack(count)) });
await nc.flush();
process.stdout.write('ready\n');
process.once('SIGTERM', () => void nc.drain().then(() => process.exit(0)));
