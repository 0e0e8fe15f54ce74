// POST /api/scripts/quick_run end to end with a scripted agent on a real socket: the payload's
// two signatures verify with the engine's script key, variables arrive as environment variables
// (credentials decrypted at send time, never stored), the ack moves the run to Running; targets
// by GUID, hostname (any case), site and filter; and every bad input is a clear 4xx that writes
// and dispatches nothing (Done-when #5).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex, verifyEnvelope, verifyScript } from '@borealis/protocol/crypto';
import { apiKeyHeaders } from '../support/auth.js';
import {
  createAssembly,
  quickRun,
  scriptedAgent,
  startJobHarness,
  type JobHarness,
  type ScriptedAgent,
} from '../support/job-harness.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite } from '../support/trust-agent.js';

describe.each(DIALECTS)('quick jobs (%s)', (dialect) => {
  let h: JobHarness;
  let agent: ScriptedAgent;
  let assembly: string;
  let credentialId: string;
  const uiEvents: { event: string; payload: any }[] = [];

  const VARIABLES = [
    { name: 'name', type: 'string', default: 'world' },
    { name: 'count', type: 'number', required: true },
    { name: 'dry_run', type: 'boolean', default: false },
    { name: 'api_token', type: 'credential' },
  ];

  async function counts() {
    const jobs = await h.t.ctx.db
      .selectFrom('quick_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const runs = await h.t.ctx.db
      .selectFrom('activity_history')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { jobs: Number(jobs.n), runs: Number(runs.n) };
  }

  beforeAll(async () => {
    h = await startJobHarness(dialect);
    h.t.ctx.events.attachUi((event, payload) => uiEvents.push({ event, payload }));
    agent = await scriptedAgent(h);
    assembly = await createAssembly(h, {
      script: 'echo "hello $NAME x$COUNT"\r\n[ "$DRY_RUN" = true ] && exit 0\r\nexit 0\r\n',
      variables: VARIABLES,
      timeout_seconds: 45,
    });
    const cred = await h.t.app.inject({
      method: 'POST',
      url: '/api/credentials',
      headers: h.admin,
      payload: { name: `token-${dialect}`, credential_type: 'token', secret: 'hunter2-secret' },
    });
    expect(cred.statusCode, cred.body).toBe(201);
    credentialId = cred.json<{ id: string }>().id;
  });
  afterAll(async () => {
    agent.disconnect();
    await h.close();
  });

  it('signs, sends and starts a run; the agent sees exactly the frozen bytes and variables', async () => {
    uiEvents.length = 0;
    const res = await quickRun(h, {
      assembly_guid: assembly,
      hostnames: [agent.hostname.toUpperCase()],
      run_mode: 'system',
      variable_values: { count: '3', dry_run: true, api_token: credentialId },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ job_id: string; results: any[] }>();
    expect(body.results).toEqual([
      { hostname: agent.hostname, guid: agent.guid, job_id: expect.any(String), status: 'Running' },
    ]);
    const runId = body.results[0].job_id as string;

    expect(agent.runs).toHaveLength(1);
    const run = agent.runs[0]!;
    const bytes = Buffer.from(run.script_content, 'base64');
    expect(bytes.toString('utf8')).toBe(
      'echo "hello $NAME x$COUNT"\n[ "$DRY_RUN" = true ] && exit 0\nexit 0\n',
    );
    expect(run).toMatchObject({
      job_id: runId,
      device_guid: agent.guid,
      script_type: 'bash',
      script_encoding: 'base64',
      run_mode: 'system',
      timeout_seconds: 45,
      sig_alg: 'ed25519',
      environment: { NAME: 'world', COUNT: '3', DRY_RUN: 'true', API_TOKEN: 'hunter2-secret' },
      context: { assembly_guid: assembly },
    });
    expect(run.expires_at).toBe(h.t.clock.now() + 24 * 3600 * 1000);

    const pub = h.t.ctx.services.engineKeys.scriptKey().publicKey;
    expect(verifyScript(pub, bytes, run.signature)).toBe(true);
    const envelope = {
      v: 1,
      job_id: run.job_id,
      device_guid: run.device_guid,
      run_mode: run.run_mode,
      script_type: run.script_type,
      script_sha256: sha256Hex(bytes),
      environment: run.environment,
      timeout_seconds: run.timeout_seconds,
      expires_at: run.expires_at,
    };
    expect(verifyEnvelope(pub, envelope, run.envelope_signature)).toBe(true);
    // Altered bytes or an altered envelope do not verify.
    expect(
      verifyScript(pub, Buffer.concat([bytes, Buffer.from('rm -rf /\n')]), run.signature),
    ).toBe(false);
    expect(
      verifyEnvelope(pub, { ...envelope, device_guid: 'someone-else' }, run.envelope_signature),
    ).toBe(false);

    // Stored: the script hash and the credential by id; the secret nowhere.
    const job = await h.t.ctx.db
      .selectFrom('quick_jobs')
      .selectAll()
      .where('id', '=', body.job_id)
      .executeTakeFirstOrThrow();
    expect(job.script_sha256).toBe(sha256Hex(bytes));
    expect(job.variables_json).toContain(credentialId);
    expect(job.variables_json).not.toContain('hunter2');
    const row = await h.t.ctx.db
      .selectFrom('activity_history')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'Running',
      device_guid: agent.guid,
      hostname: agent.hostname,
    });
    expect(Number(row.delivered_at)).toBe(h.t.clock.now());
    const logs = path.join(h.t.ctx.config.engineDir, 'Logs');
    for (const f of fs.readdirSync(logs)) {
      expect(fs.readFileSync(path.join(logs, f), 'utf8')).not.toContain('hunter2');
    }

    expect(
      uiEvents.filter((e) => e.event === 'device_activity_changed').map((e) => e.payload),
    ).toEqual([
      {
        guid: agent.guid,
        hostname: agent.hostname,
        activity_id: runId,
        change: 'created',
        status: 'Pending',
      },
      {
        guid: agent.guid,
        hostname: agent.hostname,
        activity_id: runId,
        change: 'updated',
        status: 'Running',
      },
    ]);
    const audit = await h.t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'job.quick_run')
      .execute();
    expect(audit.map((a) => a.target)).toContain(body.job_id);

    const detail = await h.t.app.inject({
      method: 'GET',
      url: `/api/quick_jobs/${body.job_id}`,
      headers: h.operator,
    });
    expect(detail.statusCode).toBe(200);
    expect(detail.json()).toMatchObject({
      id: body.job_id,
      assembly_guid: assembly,
      run_mode: 'system',
      timeout_seconds: 45,
      variables: expect.arrayContaining([
        { name: 'api_token', type: 'credential', value: credentialId },
      ]),
      runs: [{ id: runId, device_guid: agent.guid, status: 'Running' }],
    });
  });

  it('resolves script_path, and unions GUIDs, hostnames, sites and filters without duplicates', async () => {
    const other = await scriptedAgent(h);
    const filter = await h.t.app.inject({
      method: 'POST',
      url: '/api/device_filters',
      headers: h.operator,
      payload: {
        name: `only-${other.hostname}`,
        groups: [
          { conditions: [{ field: 'hostname', operator: 'equals', value: other.hostname }] },
        ],
      },
    });
    expect(filter.statusCode, filter.body).toBe(201);
    const res = await quickRun(h, {
      script_path: `Scripts/${assembly}`,
      guids: [agent.guid],
      hostnames: [agent.hostname],
      filter_id: filter.json<{ id: string }>().id,
      site_id: h.site.id,
      variable_values: { count: 1 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const results = res.json<{ results: { guid: string; status: string }[] }>().results;
    const guids = results.map((r) => r.guid);
    expect(new Set(guids).size).toBe(guids.length);
    expect(guids).toEqual(expect.arrayContaining([agent.guid, other.guid]));
    expect(results.every((r) => r.status === 'Running')).toBe(true);
    other.disconnect();
  });

  describe('bad inputs: clear 4xx, nothing written, nothing dispatched', () => {
    let revoked: ScriptedAgent;
    let quarantined: ScriptedAgent;
    let emptySite: string;

    beforeAll(async () => {
      revoked = await scriptedAgent(h, false);
      quarantined = await scriptedAgent(h, false);
      for (const [a, action] of [
        [revoked, 'revoke'],
        [quarantined, 'quarantine'],
      ] as const) {
        const r = await h.t.app.inject({
          method: 'POST',
          url: `/api/devices/${a.guid}/${action}`,
          headers: h.admin,
        });
        expect(r.statusCode, r.body).toBe(200);
      }
      emptySite = (await createSite(h.t, h.admin)).id;
    });

    const base = () => ({
      assembly_guid: assembly,
      hostnames: [agent.hostname],
      variable_values: { count: 1 },
    });
    type Make = () => Promise<Record<string, unknown>>;
    const over =
      (extra: Record<string, unknown>): Make =>
      async () => ({ ...base(), ...extra });
    const vars = (values: Record<string, unknown>) => over({ variable_values: values });
    const bad = 'invalid_variable';
    const cases: [string, Make, number, string, string?][] = [
      ['unknown assembly', over({ assembly_guid: 'nope' }), 404, 'assembly_not_found'],
      ['no assembly', async () => ({ hostnames: [agent.hostname] }), 400, 'assembly_required'],
      ['unknown hostname', over({ hostnames: ['ghost-host'] }), 400, 'unknown_targets'],
      ['unknown guid', over({ guids: [crypto.randomUUID()] }), 400, 'unknown_targets'],
      ['NUL in a hostname', over({ hostnames: ['web\u0000-01'] }), 400, 'invalid_request'],
      ['revoked device', () => over({ guids: [revoked.guid] })(), 403, 'out_of_scope_hostnames'],
      [
        'quarantined device',
        () => over({ hostnames: [quarantined.hostname] })(),
        403,
        'out_of_scope_hostnames',
      ],
      ['number as text', vars({ count: 'three' }), 400, bad, 'variable_values.count'],
      [
        'boolean as text',
        vars({ count: 1, dry_run: 'maybe' }),
        400,
        bad,
        'variable_values.dry_run',
      ],
      ['string as number', vars({ count: 1, name: 5 }), 400, bad, 'variable_values.name'],
      ['missing required', vars({}), 400, bad, 'variable_values.count'],
      ['unknown variable', vars({ count: 1, colour: 'red' }), 400, bad, 'variable_values.colour'],
      [
        'unknown credential',
        vars({ count: 1, api_token: 'x' }),
        400,
        bad,
        'variable_values.api_token',
      ],
      ['no targets at all', over({ hostnames: undefined }), 400, 'no_targets'],
      ['empty site', () => over({ hostnames: undefined, site_id: emptySite })(), 400, 'no_targets'],
      ['unknown site', over({ site_id: 'no-such-site' }), 404, 'site_not_found'],
      ['unknown filter', over({ filter_id: 'no-such-filter' }), 404, 'filter_not_found'],
      ['run_mode admin', over({ run_mode: 'admin' }), 400, 'invalid_request', 'run_mode'],
      [
        'expiry too short',
        over({ expires_in_seconds: 10 }),
        400,
        'invalid_request',
        'expires_in_seconds',
      ],
      [
        'oversize script',
        async () => ({
          ...base(),
          assembly_guid: await createAssembly(h, {
            script: `echo ${'x'.repeat(600 * 1024)}\n`,
            variables: [],
          }),
          variable_values: {},
        }),
        400,
        'script_too_large',
      ],
      [
        'not a script',
        async () => ({
          ...base(),
          assembly_guid: await createAssembly(h, {
            assembly_kind: 'workflow',
            assembly_type: 'workflow',
            script: '',
            variables: [],
          }),
          variable_values: {},
        }),
        400,
        'unsupported_assembly',
      ],
    ];

    it.each(cases)('%s', async (_name, make, status, code, field) => {
      const payload = await make();
      const before = await counts();
      const sent = agent.runs.length;
      const res = await quickRun(h, payload);
      expect(res.statusCode, res.body).toBe(status);
      const err = res.json<{ error: string; message: string; field?: string }>();
      expect(err.error).toBe(code);
      expect(err.message.length).toBeGreaterThan(5);
      if (field) expect(err.field).toBe(field);
      expect(await counts()).toEqual(before);
      expect(agent.runs.length).toBe(sent);
    });

    it('names every unknown target in the message', async () => {
      const res = await quickRun(h, {
        ...base(),
        hostnames: ['ghost-a', agent.hostname, 'ghost-b'],
      });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ message: string }>().message).toMatch(/ghost-a.*ghost-b/);
    });

    it('is operator-only', async () => {
      const viewer = await apiKeyHeaders(h.t, 'Viewer');
      const before = await counts();
      const res = await quickRun(h, base(), viewer);
      expect(res.statusCode).toBe(403);
      expect(await counts()).toEqual(before);
    });
  });
});
