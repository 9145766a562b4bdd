/**
 * IAM reads. IAM is global, so one collector serves every region of a run: each distinct instance
 * profile, role, attached-policy list and managed policy is fetched once (concurrent askers share
 * the in-flight call) and copied into every region snapshot that uses it. Managed policy versions
 * are immutable, so their documents are also kept across runs (warm Lambda invocations) in a
 * module-level cache keyed by ARN and version id.
 */
import {
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { nameFromRef } from '../lookup.js';
import { PolicyDocument, type CollectionError, type InlinePolicy, type InstanceProfile, type ManagedPolicy, type Role, type ServiceRole } from '../snapshot.js';
import { allPages, Memo, toCollectionError, type CallFailure, type CallRunner, type Fetched } from './calls.js';

// ---------------------------------------------------------------- policy documents

/**
 * IAM returns policy documents URL-encoded (RFC 3986). A document that already starts with `{`
 * was not encoded (some emulators skip it); anything else is decoded first.
 */
export function parsePolicyDocument(raw: string | undefined): { ok: true; document: PolicyDocument } | { ok: false; reason: string } {
  if (raw === undefined || raw.trim() === '') return { ok: false, reason: 'IAM returned no policy document.' };
  let text = raw.trim();
  if (!text.startsWith('{')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return { ok: false, reason: 'The policy document is not valid URL-encoded text.' };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `The policy document is not valid JSON: ${(e as Error).message}` };
  }
  const parsed = PolicyDocument.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'The policy document has no Statement object or list.' };
  return { ok: true, document: parsed.data };
}

// ---------------------------------------------------------------- immutable version cache

const VERSION_CACHE_LIMIT = 1000;
const versionCache = new Map<string, PolicyDocument>();

function cacheVersion(key: string, document: PolicyDocument): void {
  if (versionCache.size >= VERSION_CACHE_LIMIT) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = versionCache.keys().next().value;
    if (oldest !== undefined) versionCache.delete(oldest);
  }
  versionCache.set(key, document);
}

/** Empties the cross-run cache of managed policy versions (tests; long-lived processes). */
export function clearPolicyVersionCache(): void {
  versionCache.clear();
}

// ---------------------------------------------------------------- collector

export type ProfileData = Omit<InstanceProfile, 'ref'>;

/** A role with the parts that could be read (none: absent), and the errors (kind `role` / `rolePolicies`) of the others. */
export interface RoleResult {
  role?: Role;
  errors: CollectionError[];
}

const SCOPE = 'global';

export class IamCollector {
  private readonly profiles = new Memo<string, Fetched<ProfileData>>();
  private readonly roles = new Memo<string, RoleResult>();
  private readonly attached = new Memo<string, Fetched<string[]>>();
  private readonly policies = new Memo<string, Fetched<ManagedPolicy>>();
  /** Role ARNs as GetInstanceProfile lists them: the role keeps its ARN when GetRole fails. */
  private readonly roleArns = new Map<string, string>();

  constructor(
    private readonly iam: IAMClient,
    private readonly calls: CallRunner,
  ) {}

  private call<T>(api: string, send: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return this.calls.call(SCOPE, api, send);
  }

  /** The profile a cluster names (by name or ARN); one call per distinct profile name. */
  instanceProfile(ref: string): Promise<Fetched<ProfileData>> {
    const name = nameFromRef(ref);
    return this.profiles.get(name, async () => {
      const api = 'iam:GetInstanceProfile';
      const got = await this.calls.attempt(api, () =>
        this.call(api, (abortSignal) => this.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }), { abortSignal })),
      );
      if (!got.ok) return got;
      const p = got.value.InstanceProfile;
      if (!p) return { ok: false, failures: [{ api, code: 'EmptyResponse', message: 'GetInstanceProfile returned no instance profile.' }] };
      const roleNames = (p.Roles ?? []).map((r) => r.RoleName).filter((n): n is string => !!n);
      for (const r of p.Roles ?? []) if (r.RoleName && r.Arn) this.roleArns.set(r.RoleName, r.Arn);
      return { ok: true, value: { name: p.InstanceProfileName ?? name, arn: p.Arn ?? (ref.startsWith('arn:') ? ref : ''), roleNames } };
    });
  }

  /**
   * A role with its permissions boundary, attached policy ARNs and inline policy documents. Each
   * part is kept when its own calls succeeded, whatever happened to the others (GetRolePolicy
   * denied still leaves the attached list for the checks that need only it); a part that failed is
   * left out, never stored empty, and its errors are returned.
   */
  role(name: string): Promise<RoleResult> {
    return this.roles.get(name, async () => {
      const [meta, attached, inline] = await Promise.all([this.roleMeta(name), this.attachedPolicyArns(name), this.inlinePolicies(name)]);
      const errors: CollectionError[] = [];
      if (!meta.ok) for (const f of meta.failures) errors.push(toCollectionError('role', name, f));
      if (!attached.ok) for (const f of attached.failures) errors.push(toCollectionError('rolePolicies', name, f));
      for (const f of inline.failures) errors.push(toCollectionError('rolePolicies', name, f));
      if (!meta.ok && !attached.ok && !inline.listed) return { errors };
      const role: Role = { name };
      if (meta.ok) {
        role.arn = meta.value.arn;
        if (meta.value.boundary) role.permissionsBoundaryArn = meta.value.boundary;
      } else {
        const known = this.roleArns.get(name);
        if (known) role.arn = known;
      }
      if (attached.ok) role.attachedPolicyArns = attached.value;
      if (inline.listed) {
        role.inlinePolicies = inline.read;
        if (inline.unread.length > 0) role.unreadInlinePolicies = inline.unread;
      }
      return { role, errors };
    });
  }

  /** The service role a cluster names: only its attached policy ARNs. */
  async serviceRole(ref: string): Promise<Fetched<ServiceRole>> {
    const name = nameFromRef(ref);
    const attached = await this.attachedPolicyArns(name);
    if (!attached.ok) return attached;
    const role: ServiceRole = { name, attachedPolicyArns: attached.value };
    if (ref.startsWith('arn:')) role.arn = ref;
    return { ok: true, value: role };
  }

  /** GetPolicy (for the default version) then that version's document, cached across runs. */
  managedPolicy(arn: string): Promise<Fetched<ManagedPolicy>> {
    return this.policies.get(arn, async () => {
      const getPolicy = 'iam:GetPolicy';
      const got = await this.calls.attempt(getPolicy, () =>
        this.call(getPolicy, (abortSignal) => this.iam.send(new GetPolicyCommand({ PolicyArn: arn }), { abortSignal })),
      );
      if (!got.ok) return got;
      const versionId = got.value.Policy?.DefaultVersionId;
      if (!versionId) return { ok: false, failures: [{ api: getPolicy, code: 'EmptyResponse', message: 'GetPolicy returned no default version.' }] };
      const name = got.value.Policy?.PolicyName ?? nameFromRef(arn);
      const key = `${arn}\u0000${versionId}`;
      const cached = versionCache.get(key);
      if (cached) return { ok: true, value: { arn, name, defaultVersionId: versionId, document: cached } };

      const getVersion = 'iam:GetPolicyVersion';
      const version = await this.calls.attempt(getVersion, () =>
        this.call(getVersion, (abortSignal) => this.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: versionId }), { abortSignal })),
      );
      if (!version.ok) return version;
      const parsed = parsePolicyDocument(version.value.PolicyVersion?.Document);
      if (!parsed.ok) return { ok: false, failures: [{ api: getVersion, code: 'InvalidPolicyDocument', message: parsed.reason }] };
      cacheVersion(key, parsed.document);
      return { ok: true, value: { arn, name, defaultVersionId: versionId, document: parsed.document } };
    });
  }

  private async roleMeta(name: string): Promise<Fetched<{ arn: string; boundary?: string }>> {
    const api = 'iam:GetRole';
    const got = await this.calls.attempt(api, () => this.call(api, (abortSignal) => this.iam.send(new GetRoleCommand({ RoleName: name }), { abortSignal })));
    if (!got.ok) return got;
    const role = got.value.Role;
    if (!role?.Arn) return { ok: false, failures: [{ api, code: 'EmptyResponse', message: 'GetRole returned no role.' }] };
    const boundary = role.PermissionsBoundary?.PermissionsBoundaryArn;
    return { ok: true, value: boundary ? { arn: role.Arn, boundary } : { arn: role.Arn } };
  }

  /** Shared by instance-profile roles and service roles: one listing per role name. */
  private attachedPolicyArns(roleName: string): Promise<Fetched<string[]>> {
    return this.attached.get(roleName, () => {
      const api = 'iam:ListAttachedRolePolicies';
      return this.calls.attempt(api, async () => {
        const policies = await allPages(async (Marker) => {
          const out = await this.call(api, (abortSignal) => this.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }), { abortSignal }));
          return { items: out.AttachedPolicies ?? [], next: out.IsTruncated ? out.Marker : undefined };
        });
        return policies.map((p) => p.PolicyArn).filter((a): a is string => !!a);
      });
    });
  }

  /** The inline policy names, then each document: the ones read are kept even when another could not be. */
  private async inlinePolicies(roleName: string): Promise<InlineResult> {
    const list = 'iam:ListRolePolicies';
    const names = await this.calls.attempt(list, () =>
      allPages(async (Marker) => {
        const out = await this.call(list, (abortSignal) => this.iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }), { abortSignal }));
        return { items: out.PolicyNames ?? [], next: out.IsTruncated ? out.Marker : undefined };
      }),
    );
    if (!names.ok) return { listed: false, read: [], unread: [], failures: names.failures };
    const api = 'iam:GetRolePolicy';
    const docs = await Promise.all(
      names.value.map(async (policyName): Promise<Fetched<InlinePolicy>> => {
        const got = await this.calls.attempt(api, () =>
          this.call(api, (abortSignal) => this.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }), { abortSignal })),
        );
        if (!got.ok) return got;
        const parsed = parsePolicyDocument(got.value.PolicyDocument);
        if (!parsed.ok) return { ok: false, failures: [{ api, code: 'InvalidPolicyDocument', message: `${policyName}: ${parsed.reason}` }] };
        return { ok: true, value: { name: policyName, document: parsed.document } };
      }),
    );
    return {
      listed: true,
      read: docs.flatMap((d) => (d.ok ? [d.value] : [])),
      unread: names.value.filter((_, i) => !docs[i]!.ok),
      failures: docs.flatMap((d) => (d.ok ? [] : d.failures)),
    };
  }
}

interface InlineResult {
  /** ListRolePolicies succeeded. */
  listed: boolean;
  read: InlinePolicy[];
  /** Names listed whose document could not be read. */
  unread: string[];
  failures: CallFailure[];
}
