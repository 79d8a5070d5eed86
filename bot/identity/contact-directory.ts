/**
 * A chat platform's company directory (通讯录) as the admin app's contact sync reads it: every
 * department the app may see and every person in them, in platform ids. Each platform's client
 * turns its own wire format into this shape; the sync knows nothing of Feishu or DingTalk.
 */
export interface DirectoryDepartment {
  externalId: string
  name: string
  /** null: directly under the company root. */
  parentExternalId: string | null
  /** The department's leader (负责人/主管), if the platform names one. */
  leaderExternalId?: string
}

export interface DirectoryPerson {
  /** The id our identity links use on this platform (Feishu open_id, DingTalk userid). */
  externalId: string
  name: string
  employeeNo?: string
  mobile?: string
  email?: string
  title?: string
  /** The first is the main department; root-only people have none. */
  departmentExternalIds: string[]
  /** Direct supervisor (直属上级), if the platform names one. */
  managerExternalId?: string
  /** Resigned or frozen people are false. */
  active: boolean
}

export interface DirectorySnapshot {
  departments: DirectoryDepartment[]
  people: DirectoryPerson[]
}

export interface ContactDirectory {
  /** The platform name our identity links are stored under ('feishu', 'dingtalk'). */
  readonly platform: string
  /** Reads the whole visible directory, following every page. */
  read(): Promise<DirectorySnapshot>
}
