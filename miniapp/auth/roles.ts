/**
 * The admin app's roles, derived from the employee master's role names (users.roles):
 * admin — everything; finance — ERP connection, postings, mappings, policies, reports;
 * auditor — the audit log and reports, read-only; employee — every active person: their own
 * requests and the approval tasks they hold (an approver is an employee who holds tasks).
 */
export const ADMIN_ROLES = ['admin', 'finance', 'auditor', 'employee'] as const
export type AdminRole = (typeof ADMIN_ROLES)[number]

/** Employee-master role names that grant an admin-app role. */
const GRANTS: Record<string, AdminRole> = {
  admin: 'admin',
  finance: 'finance',
  finance_manager: 'finance',
  auditor: 'auditor',
}

export function adminRolesOf(employeeRoles: readonly string[]): AdminRole[] {
  const roles = new Set<AdminRole>(['employee'])
  for (const name of employeeRoles) {
    const granted = GRANTS[name]
    if (granted) roles.add(granted)
  }
  return ADMIN_ROLES.filter((r) => roles.has(r))
}

/** admin may do everything; anyone else needs one of the listed roles. */
export function roleAllows(held: readonly AdminRole[], required: readonly AdminRole[]): boolean {
  return held.includes('admin') || required.some((r) => held.includes(r))
}

export const ROLE_LABELS: Record<AdminRole, string> = {
  admin: '管理员 Admin',
  finance: '财务 Finance',
  auditor: '审计 Auditor',
  employee: '员工 Employee',
}
