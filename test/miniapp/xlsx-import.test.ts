import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstSheetRows } from '../../miniapp/import/xlsx-sheet.js'
import { DomainError } from '../../workflow/errors.js'
import { DB_KINDS } from '../helpers/databases.js'
import { TestSystem } from '../helpers/test-system.js'
import { AdminClient, expectJson } from './admin-client.js'
import { xlsxWorkbook, zip } from './xlsx-file.js'

/**
 * XLSX imports: workbooks written the way Excel writes them (deflated ZIP, shared strings, numbers
 * as numbers, empty cells left out) go through the same checks as CSV, with the same line numbers.
 */

describe('reading the first sheet of an .xlsx', () => {
  it('gives each cell as Excel shows it, in place, with gaps kept', async () => {
    const book = xlsxWorkbook([
      ['工号', '姓名', '职级', '在职', '备注'],
      ['E2001', '冯一', 5, true, 'a < b & "c"'],
      [],
      ['E2002', null, 3, false],
    ])
    expect(await firstSheetRows(book)).toEqual([
      ['工号', '姓名', '职级', '在职', '备注'],
      ['E2001', '冯一', '5', 'true', 'a < b & "c"'],
      [],
      ['E2002', '', '3', 'false'],
    ])
    expect(await firstSheetRows(xlsxWorkbook([['部门编号', ' 部门名称 ']], { inlineStrings: true }))).toEqual([['部门编号', ' 部门名称 ']])
  })

  it('refuses what is not a workbook, a damaged one, and a zip bomb, in words a person reads', async () => {
    const book = xlsxWorkbook([['工号'], ['E1']])
    const refusal = (bytes: Uint8Array) => firstSheetRows(bytes).then(() => 'read', (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.zh}` : String(e)))
    expect(await refusal(new TextEncoder().encode('工号,姓名\nE1,张三\n'))).toMatch(/^VALIDATION: 文件不是有效的 XLSX/)
    expect(await refusal(book.subarray(0, book.length - 30))).toMatch(/^VALIDATION: 文件不是有效的 XLSX/)
    expect(await refusal(zip([['word/document.xml', Buffer.from('<w/>')]]))).toMatch(/^VALIDATION: 文件不是有效的 XLSX 工作簿/)
    const damaged = Buffer.from(book)
    const inWorkbookData = book.indexOf('xl/workbook.xml') + 'xl/workbook.xml'.length + 8
    damaged[inWorkbookData] = damaged[inWorkbookData]! ^ 0xff
    expect(await refusal(damaged)).toMatch(/^VALIDATION: 文件不是有效的 XLSX/)
    // A forged row or column number far away must not make the reader allocate for it.
    const sheetWith = (sheetData: string) => {
      const parts = new Map([
        ['xl/workbook.xml', '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'],
        ['xl/_rels/workbook.xml.rels', '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>'],
        ['xl/worksheets/sheet1.xml', `<worksheet><sheetData>${sheetData}</sheetData></worksheet>`],
      ])
      return zip([...parts].map(([name, text]) => [name, Buffer.from(text)]))
    }
    expect(await refusal(sheetWith('<row r="1"><c r="A1" t="inlineStr"><is><t>工号</t></is></c></row>'))).toBe('read')
    expect(await refusal(sheetWith('<row r="900000000"><c r="A900000000"><v>1</v></c></row>'))).toMatch(/^VALIDATION: 工作表超过 50000 行/)
    expect(await refusal(sheetWith('<row r="1"><c r="ZZZZ1"><v>1</v></c></row>'))).toMatch(/^VALIDATION: 工作表超过 200 列/)
    expect(await refusal(sheetWith('<row r="1"><c r="A1"><v><![CDATA[1</v></c></row>'))).toMatch(/^VALIDATION: 文件不是有效的 XLSX/)
    // 64 MB of zeros deflates to ~64 KB: refused from its header before anything is inflated.
    expect(await refusal(zip([['xl/workbook.xml', Buffer.alloc(64 * 1024 * 1024)]]))).toMatch(/^VALIDATION: XLSX 文件过大/)
  })
})

describe.each(DB_KINDS)('XLSX import API on %s', (kind) => {
  let sys: TestSystem
  let admin: AdminClient
  let finance: AdminClient
  beforeAll(async () => {
    sys = await TestSystem.start(kind)
    admin = await AdminClient.signIn(sys.app, 'admin')
    finance = await AdminClient.signIn(sys.app, 'sunba')
  })
  afterAll(async () => sys?.close())

  const json = expectJson
  const base64 = (rows: Parameters<typeof xlsxWorkbook>[0]) => xlsxWorkbook(rows).toString('base64')

  it('departments and employees from workbooks: same checks and line numbers as CSV, all or nothing', async () => {
    const departments = base64([
      ['部门编号', '部门名称', '上级部门', '负责人工号', '成本中心'],
      ['d-legal', '法务部', '总经办', 'E1000', 'CC-600'],
    ])
    expect(await json(admin.post('/api/admin/org/departments/import', { xlsx: departments, dryRun: false }))).toMatchObject({ created: 1, updated: 0 })

    const header = ['工号', '姓名', '部门', '直属上级工号', '职位', '职级', '角色', '手机']
    const bad = [header, ['E2001', '冯一', '法务部', 'E1000', '法务经理', 5, 'dept_head', 13700001111], ['E2002', '陈二', '不存在的部门', 'E2001'], ['E2001', '重复', '法务部']]
    const fromXlsx = await json<{ errors: { line: number; message: string }[] }>(admin.post('/api/admin/org/employees/import', { xlsx: base64(bad), dryRun: true }), 422)
    const asCsv = bad.map((r) => [...r, ...Array<string>(header.length - r.length).fill('')].join(',')).join('\n')
    const fromCsv = await json<{ errors: { line: number; message: string }[] }>(admin.post('/api/admin/org/employees/import', { csv: asCsv, dryRun: true }), 422)
    expect(fromXlsx.errors).toEqual(fromCsv.errors)
    expect(fromXlsx.errors.map((e) => e.line)).toEqual([3, 4])

    const good = [header, ['E2001', '冯一', '法务部', 'E1000', '法务经理', 5, 'dept_head', 13700001111], ['E2002', '陈二', 'd-legal', 'E2001', '法务专员', 3]]
    expect(await json(admin.post('/api/admin/org/employees/import', { xlsx: base64(good), dryRun: true }))).toMatchObject({ created: 2, updated: 0 })
    expect(await sys.database.db.selectFrom('users').select('id').where('employee_no', '=', 'E2001').execute()).toEqual([])
    expect(await json(admin.post('/api/admin/org/employees/import', { xlsx: base64(good), dryRun: false }))).toMatchObject({ created: 2 })
    const chen = await sys.database.db.selectFrom('users').selectAll().where('employee_no', '=', 'E2002').executeTakeFirstOrThrow()
    expect(chen).toMatchObject({ name: '陈二', department_id: 'd-legal', manager_id: 'emp-e2001', title: '法务专员' })
    expect(Number(chen.level)).toBe(3)
    const feng = await sys.database.db.selectFrom('users').select(['mobile', 'roles']).where('employee_no', '=', 'E2001').executeTakeFirstOrThrow()
    expect(feng.mobile).toBe('13700001111')
    expect(JSON.parse(feng.roles)).toEqual(['employee', 'dept_head'])
    const audit = await sys.database.db.selectFrom('audit_log').select(['actor_id', 'after_state']).where('action', '=', 'org.employees.imported').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.actor_id).toBe('admin')
  })

  it('ERP mappings from a workbook, for finance', async () => {
    const mappings = base64([['类型', '本系统', 'ERP编码', 'ERP名称'], ['费用类别', '差旅费', 6602.01, '差旅费'], ['部门', '研发部', 'CC-200']])
    const result = await json<{ valid: number }>(finance.post('/api/admin/erp/mappings/import', { xlsx: mappings, dryRun: false }))
    expect(result.valid).toBe(2)
    const rows = await json<{ kind: string; localKey: string; erpCode: string }[]>(finance.get('/api/admin/erp/mappings'))
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'expense_category', localKey: 'travel', erpCode: '6602.01' }), expect.objectContaining({ kind: 'department', erpCode: 'CC-200' })]))
  })

  it('refuses both formats at once, neither, a broken workbook, and the wrong role', async () => {
    const book = base64([['部门编号', '部门名称'], ['d-x', 'X']])
    expect((await json<{ code: string }>(admin.post('/api/admin/org/departments/import', { csv: 'a', xlsx: book, dryRun: true }), 400)).code).toBe('VALIDATION')
    expect((await json<{ code: string }>(admin.post('/api/admin/org/departments/import', { dryRun: true }), 400)).code).toBe('VALIDATION')
    expect((await json<{ code: string }>(admin.post('/api/admin/org/departments/import', { xlsx: 'not base64!', dryRun: true }), 400)).code).toBe('VALIDATION')
    const broken = await json<{ code: string; message: string }>(admin.post('/api/admin/org/departments/import', { xlsx: Buffer.from('PK not really').toString('base64'), dryRun: true }), 400)
    expect(broken.message).toContain('不是有效的 XLSX')
    expect((await json<{ code: string }>(finance.post('/api/admin/org/departments/import', { xlsx: book, dryRun: true }), 403)).code).toBe('FORBIDDEN')
  })
})
