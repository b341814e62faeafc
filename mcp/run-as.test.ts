import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupUser } from './run-as.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

describe('lookupUser', () => {
  test('by name or by uid; an unknown user is an error naming it', () => {
    assert.deepEqual(lookupUser('nobody', PASSWD), { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' });
    assert.equal(lookupUser('0', PASSWD).name, 'root');
    assert.throws(() => lookupUser('mallory', PASSWD), /no Unix user "mallory"/);
  });
});
