import { globalId, parseGlobalId, rowIdOf } from './ids';

describe('global ids', () => {
  it('are base64url of the type and the row, and read back as what they name', () => {
    expect(globalId('Post', 42)).toBe(Buffer.from('Post:42').toString('base64url'));
    expect(parseGlobalId(globalId('User', 7))).toEqual({ type: 'User', rowId: 7 });
    expect(rowIdOf(globalId('Post', 2 ** 31 - 1), 'Post')).toBe(2 ** 31 - 1);
  });

  it('differ between a user and a post of the same row number', () => {
    expect(globalId('User', 1)).not.toBe(globalId('Post', 1));
    expect(rowIdOf(globalId('User', 1), 'Post')).toBeNull();
    expect(rowIdOf(globalId('Post', 1), 'User')).toBeNull();
  });

  it.each([
    ['a bare row number', '42'],
    ['garbage', 'not-an-id'],
    ['an empty id', ''],
    ['an unknown type', Buffer.from('Session:1').toString('base64url')],
    ['a row number out of range', Buffer.from('Post:2147483648').toString('base64url')],
    ['a zero-padded row number', Buffer.from('Post:042').toString('base64url')],
    ['a row number of zero', Buffer.from('Post:0').toString('base64url')],
    ['padding after a valid id', `${globalId('Post', 42)}=`],
    ['stray characters in a valid id', `${globalId('Post', 42)}!`],
    ['plain base64 of a valid id', Buffer.from('Post:1000').toString('base64').replace(/=+$/, '') + '=='],
    ['a very long text', 'A'.repeat(100_000)],
  ])('name nothing for %s', (_, id) => {
    expect(parseGlobalId(id)).toBeNull();
    expect(rowIdOf(id, 'Post')).toBeNull();
    expect(rowIdOf(id, 'User')).toBeNull();
  });
});
