/**
 * The Feishu app and people the Workers tests use, shared by the fake open platform (Node side)
 * and the tests inside workerd. The people are the demo organisation's, each matched to the
 * employee master a different way: 张三 and 孙八 by 工号, 李四 by company e-mail.
 */
export const FEISHU_APP = {
  appId: 'cli_0123456789abcdef',
  appSecret: 'app-secret-for-workers-tests',
  verificationToken: 'verification-token-for-workers-tests',
  encryptKey: 'encrypt-key-for-workers-tests',
}

export const OPEN_ID = {
  zhangsan: 'ou_zhangsan000000000000000000001',
  lisi: 'ou_lisi00000000000000000000000002',
  sunba: 'ou_sunba00000000000000000000000007',
}

export const FEISHU_PEOPLE = [
  { open_id: OPEN_ID.zhangsan, name: '张三', employee_no: 'E1001' },
  { open_id: OPEN_ID.lisi, name: '李四', enterprise_email: 'lisi@demo.example.com' },
  { open_id: OPEN_ID.sunba, name: '孙八', employee_no: 'E1007', enterprise_email: 'sunba@demo.example.com' },
]
