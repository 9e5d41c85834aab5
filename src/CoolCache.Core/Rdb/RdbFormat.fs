/// The RDB format's fixed numbers (rdb.h): opcodes, value type codes, length and string encodings.
/// Never reordered: they are what files on disk and DUMP payloads contain.
module CoolCache.Core.Rdb.RdbFormat

/// The version this server writes (Redis 7.0 writes 10 and loads up to 10; 7.2 writes 11; 7.4 writes 12).
let writeVersion = 10

/// The newest version this server reads.
let readVersion = 12

// opcodes
[<Literal>]
let OpFunction2 = 245uy

[<Literal>]
let OpFunction = 246uy

[<Literal>]
let OpModuleAux = 247uy

[<Literal>]
let OpIdle = 248uy

[<Literal>]
let OpFreq = 249uy

[<Literal>]
let OpAux = 250uy

[<Literal>]
let OpResizeDb = 251uy

[<Literal>]
let OpExpireTimeMs = 252uy

[<Literal>]
let OpExpireTime = 253uy

[<Literal>]
let OpSelectDb = 254uy

[<Literal>]
let OpEof = 255uy

// value types
[<Literal>]
let TypeString = 0uy

[<Literal>]
let TypeList = 1uy

[<Literal>]
let TypeSet = 2uy

[<Literal>]
let TypeZset = 3uy

[<Literal>]
let TypeHash = 4uy

[<Literal>]
let TypeZset2 = 5uy

[<Literal>]
let TypeModule = 6uy

[<Literal>]
let TypeModule2 = 7uy

[<Literal>]
let TypeHashZipmap = 9uy

[<Literal>]
let TypeListZiplist = 10uy

[<Literal>]
let TypeSetIntset = 11uy

[<Literal>]
let TypeZsetZiplist = 12uy

[<Literal>]
let TypeHashZiplist = 13uy

[<Literal>]
let TypeListQuicklist = 14uy

[<Literal>]
let TypeStreamListpacks = 15uy

[<Literal>]
let TypeHashListpack = 16uy

[<Literal>]
let TypeZsetListpack = 17uy

[<Literal>]
let TypeListQuicklist2 = 18uy

[<Literal>]
let TypeStreamListpacks2 = 19uy

[<Literal>]
let TypeSetListpack = 20uy

[<Literal>]
let TypeStreamListpacks3 = 21uy

// special string encodings (after a length byte 11xxxxxx)
[<Literal>]
let EncInt8 = 0

[<Literal>]
let EncInt16 = 1

[<Literal>]
let EncInt32 = 2

[<Literal>]
let EncLzf = 3

// quicklist 2 node containers
[<Literal>]
let QuicklistPlain = 1L

[<Literal>]
let QuicklistPacked = 2L
