import { roleAllows, type AdminRole } from '../auth/roles.js'

export type Section = 'dashboard' | 'my' | 'flows' | 'org' | 'erp' | 'policies' | 'settings' | 'audit'

interface NavItem {
  section: Section
  href: string
  zh: string
  en: string
  /** Who sees the tab: the same roles the section's API requires, so the UI never offers what the server refuses. */
  roles: [AdminRole, ...AdminRole[]]
}

export const NAV: NavItem[] = [
  { section: 'dashboard', href: '/miniapp/dashboard', zh: '概览', en: 'Dashboard', roles: ['finance', 'auditor'] },
  { section: 'my', href: '/miniapp/my', zh: '我的', en: 'My work', roles: ['employee'] },
  { section: 'flows', href: '/miniapp/flows', zh: '流程', en: 'Flows', roles: ['admin'] },
  { section: 'org', href: '/miniapp/org', zh: '组织', en: 'Org & data', roles: ['admin', 'finance'] },
  { section: 'erp', href: '/miniapp/erp', zh: 'ERP', en: 'ERP', roles: ['finance'] },
  { section: 'policies', href: '/miniapp/policies', zh: '规则', en: 'Policies', roles: ['finance'] },
  { section: 'settings', href: '/miniapp/settings', zh: '设置', en: 'Settings', roles: ['finance'] },
  { section: 'audit', href: '/miniapp/audit', zh: '审计', en: 'Audit', roles: ['auditor'] },
]

export function navFor(roles: readonly AdminRole[]): NavItem[] {
  return NAV.filter((item) => roleAllows(roles, item.roles))
}

/** Where someone lands after signing in: the overview when they may see it, else their own work. */
export function homeFor(roles: readonly AdminRole[]): string {
  return roleAllows(roles, ['finance', 'auditor']) ? '/miniapp/dashboard' : '/miniapp/my'
}
