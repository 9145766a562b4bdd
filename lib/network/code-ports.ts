/**
 * The applications that run code for whoever connects to their port, and what authenticates their
 * users (CHECKS.md `exposure/attack-path`): the table the attack path is judged by.
 */

/** What closes an application to anonymous users. */
export type Closer = 'kerberos' | 'ldap';

export interface CodeRunningApp {
  /** DescribeCluster `Applications[].Name`, compared case-insensitively. */
  name: string;
  /** The component that listens. */
  service: string;
  port: number;
  /** How it runs code for whoever connects. */
  how: string;
  /** Any one of these authenticates its users. */
  closedBy: readonly Closer[];
}

export const CODE_RUNNING_APPS: readonly CodeRunningApp[] = [
  { name: 'Hadoop', service: 'YARN ResourceManager REST API', port: 8088, how: 'submits applications that run commands', closedBy: ['kerberos'] },
  { name: 'Livy', service: 'Livy REST API', port: 8998, how: 'runs Spark code sent in a session', closedBy: ['kerberos', 'ldap'] },
  { name: 'JupyterHub', service: 'JupyterHub', port: 9443, how: "runs notebook code; EMR's default user and password", closedBy: ['kerberos', 'ldap'] },
  { name: 'Zeppelin', service: 'Zeppelin', port: 8890, how: 'runs notebook paragraphs', closedBy: ['kerberos', 'ldap'] },
  { name: 'Hive', service: 'HiveServer2', port: 10000, how: 'runs TRANSFORM scripts and UDFs', closedBy: ['kerberos', 'ldap'] },
  { name: 'Hue', service: 'Hue', port: 8888, how: 'the first login becomes administrator', closedBy: ['ldap'] },
];

/** The table's applications installed on a cluster (names case-insensitive), in table order. */
export function installedCodeApps(applications: readonly string[]): CodeRunningApp[] {
  const installed = new Set(applications.map((a) => a.trim().toLowerCase()));
  return CODE_RUNNING_APPS.filter((a) => installed.has(a.name.toLowerCase()));
}
