/// THE command table: every command's name, arity, flags, keys, group and handler, in one list.
/// Dispatch, COMMAND INFO/DOCS/LIST and the README's command list are all generated from it.
module CoolCache.Core.Commands.CommandTable

#nowarn "40" // the COMMAND handlers render the table they belong to

open CoolCache.Core
open CoolCache.Core.Commands

type private F = CommandFlags

let private R = F.ReadOnly
let private W = F.Write
let private Fast = F.Fast
let private Deny = F.DenyOom
/// Looks at keys without touching them (LOOKUP_NOTOUCH); not shown by COMMAND INFO.
let private Peek = F.NoTouch
let private Conn = F.NoScript ||| F.Loading ||| F.Stale ||| F.Fast
let private Adm = F.Admin ||| F.NoScript ||| F.Loading ||| F.Stale

let private keys1 = KeySpec.Range(1, 1, 1)
let private keysAll = KeySpec.Range(1, -1, 1)
let private keys12 = KeySpec.Range(1, 2, 1)
let private none = KeySpec.NoKeys

/// One table row: name, arity, flags, keys, group, since, summary, complexity, handler.
let private cmd name arity flags keys group since summary complexity handler =
    { Name = name
      Arity = arity
      Flags = flags
      Keys = keys
      Group = group
      Since = since
      Summary = summary
      Complexity = complexity
      Handler = handler
      Subcommands = []
      FullName = (name: string).ToLowerInvariant() }

/// A container command (CONFIG, CLIENT...) whose subcommands are specs of their own.
let private container (name: string) flags group since summary (subs: CommandSpec list) =
    let parent = name.ToLowerInvariant()

    { cmd name -2 flags none group since summary "Depends on subcommand." (fun _ s _ w -> Outcome.ok s w) with
        Subcommands = subs |> List.map (fun sub -> { sub with FullName = parent + "|" + sub.FullName }) }

let private S = CommandGroup.String
let private G = CommandGroup.Generic
let private C = CommandGroup.Connection
let private V = CommandGroup.Server
let private H = CommandGroup.Hash
let private T = CommandGroup.Set
let private Z = CommandGroup.SortedSet
let private Tx = CommandGroup.Transaction
let private X = CommandGroup.Stream
let private P = CommandGroup.PubSub
/// Pub/sub flags (pubsub, loading, stale) and the commands RESP2 allows while subscribed.
let private PS = F.PubSub ||| F.Loading ||| F.Stale
let private Sub = PS ||| F.NoScript ||| F.SubscribedContext

let rec private table: Lazy<CommandSpec list> =
    lazy
        [
          // strings (t_string.c)
          cmd "GET" 2 (R ||| Fast) keys1 S "1.0.0" "Returns the string value of a key." "O(1)" StringCommands.get
          cmd "SET" -3 (W ||| Deny) keys1 S "1.0.0" "Sets the string value of a key." "O(1)" StringCommands.set
          cmd "SETNX" 3 (W ||| Deny ||| Fast) keys1 S "1.0.0" "Set the string value of a key only when the key doesn't exist." "O(1)" StringCommands.setnx
          cmd "SETEX" 4 (W ||| Deny) keys1 S "2.0.0" "Sets the string value and expiration time of a key." "O(1)" StringCommands.setex
          cmd "PSETEX" 4 (W ||| Deny) keys1 S "2.6.0" "Sets both string value and expiration time in milliseconds of a key." "O(1)" StringCommands.psetex
          cmd "GETSET" 3 (W ||| Deny ||| Fast) keys1 S "1.0.0" "Returns the previous string value of a key after setting it to a new value." "O(1)" StringCommands.getset
          cmd "GETDEL" 2 (W ||| Fast) keys1 S "6.2.0" "Returns the string value of a key after deleting the key." "O(1)" StringCommands.getdel
          cmd "GETEX" -2 (W ||| Fast) keys1 S "6.2.0" "Returns the string value of a key after setting its expiration time." "O(1)" StringCommands.getex
          cmd "MGET" -2 (R ||| Fast) keysAll S "1.0.0" "Atomically returns the string values of one or more keys." "O(N)" StringCommands.mget
          cmd "MSET" -3 (W ||| Deny) (KeySpec.Range(1, -1, 2)) S "1.0.1" "Atomically creates or modifies the string values of one or more keys." "O(N)" StringCommands.mset
          cmd "MSETNX" -3 (W ||| Deny) (KeySpec.Range(1, -1, 2)) S "1.0.1" "Atomically modifies the string values of one or more keys only when all keys don't exist." "O(N)" StringCommands.msetnx
          cmd "APPEND" 3 (W ||| Deny ||| Fast) keys1 S "2.0.0" "Appends a string to the value of a key. Creates the key if it doesn't exist." "O(1)" StringCommands.append
          cmd "STRLEN" 2 (R ||| Fast) keys1 S "2.2.0" "Returns the length of a string value." "O(1)" StringCommands.strlen
          cmd "GETRANGE" 4 R keys1 S "2.4.0" "Returns a substring of the string stored at a key." "O(N)" StringCommands.getrange
          cmd "SUBSTR" 4 R keys1 S "1.0.0" "Returns a substring from a string value." "O(N)" StringCommands.getrange
          cmd "SETRANGE" 4 (W ||| Deny) keys1 S "2.2.0" "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist." "O(1)" StringCommands.setrange
          cmd "INCR" 2 (W ||| Deny ||| Fast) keys1 S "1.0.0" "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist." "O(1)" StringCommands.incr
          cmd "DECR" 2 (W ||| Deny ||| Fast) keys1 S "1.0.0" "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist." "O(1)" StringCommands.decr
          cmd "INCRBY" 3 (W ||| Deny ||| Fast) keys1 S "1.0.0" "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist." "O(1)" StringCommands.incrby
          cmd "DECRBY" 3 (W ||| Deny ||| Fast) keys1 S "1.0.0" "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist." "O(1)" StringCommands.decrby
          cmd "INCRBYFLOAT" 3 (W ||| Deny ||| Fast) keys1 S "2.6.0" "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist." "O(1)" StringCommands.incrbyfloat
          cmd "LCS" -3 R keys12 S "7.0.0" "Finds the longest common substring." "O(N*M)" StringCommands.lcs

          // lists (t_list.c)
          cmd "LPUSH" -3 (W ||| Deny ||| Fast) keys1 CommandGroup.List "1.0.0" "Prepend one or multiple elements to a list" "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments." ListCommands.lpush
          cmd "RPUSH" -3 (W ||| Deny ||| Fast) keys1 CommandGroup.List "1.0.0" "Append one or multiple elements to a list" "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments." ListCommands.rpush
          cmd "LPUSHX" -3 (W ||| Deny ||| Fast) keys1 CommandGroup.List "2.2.0" "Prepend an element to a list, only if the list exists" "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments." ListCommands.lpushx
          cmd "RPUSHX" -3 (W ||| Deny ||| Fast) keys1 CommandGroup.List "2.2.0" "Append an element to a list, only if the list exists" "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments." ListCommands.rpushx
          cmd "LPOP" -2 (W ||| Fast) keys1 CommandGroup.List "1.0.0" "Remove and get the first elements in a list" "O(N) where N is the number of elements returned" ListCommands.lpop
          cmd "RPOP" -2 (W ||| Fast) keys1 CommandGroup.List "1.0.0" "Remove and get the last elements in a list" "O(N) where N is the number of elements returned" ListCommands.rpop
          cmd "LLEN" 2 (R ||| Fast) keys1 CommandGroup.List "1.0.0" "Get the length of a list" "O(1)" ListCommands.llen
          cmd "LRANGE" 4 R keys1 CommandGroup.List "1.0.0" "Get a range of elements from a list" "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range." ListCommands.lrange
          cmd "LINDEX" 3 R keys1 CommandGroup.List "1.0.0" "Get an element from a list by its index" "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1)." ListCommands.lindex
          cmd "LSET" 4 (W ||| Deny) keys1 CommandGroup.List "1.0.0" "Set the value of an element in a list by its index" "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1)." ListCommands.lset
          cmd "LINSERT" 5 (W ||| Deny) keys1 CommandGroup.List "2.2.0" "Insert an element before or after another element in a list" "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N)." ListCommands.linsert
          cmd "LREM" 4 W keys1 CommandGroup.List "1.0.0" "Remove elements from a list" "O(N+M) where N is the length of the list and M is the number of elements removed." ListCommands.lrem
          cmd "LTRIM" 4 W keys1 CommandGroup.List "1.0.0" "Trim a list to the specified range" "O(N) where N is the number of elements to be removed by the operation." ListCommands.ltrim
          cmd "LPOS" -3 R keys1 CommandGroup.List "6.0.6" "Return the index of matching elements on a list" "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time." ListCommands.lpos
          cmd "LMOVE" 5 (W ||| Deny) keys12 CommandGroup.List "6.2.0" "Pop an element from a list, push it to another list and return it" "O(1)" ListCommands.lmove
          cmd "RPOPLPUSH" 3 (W ||| Deny) keys12 CommandGroup.List "1.2.0" "Remove the last element in a list, prepend it to another list and return it" "O(1)" ListCommands.rpoplpush
          cmd "LMPOP" -4 W (KeySpec.Numkeys 1) CommandGroup.List "7.0.0" "Pop elements from a list" "O(N+M) where N is the number of provided keys and M is the number of elements returned." ListCommands.lmpop
          cmd "BLPOP" -3 (W ||| F.NoScript ||| F.Blocking) (KeySpec.Range(1, -2, 1)) CommandGroup.List "2.0.0" "Remove and get the first element in a list, or block until one is available" "O(N) where N is the number of provided keys." ListCommands.blpop
          cmd "BRPOP" -3 (W ||| F.NoScript ||| F.Blocking) (KeySpec.Range(1, -2, 1)) CommandGroup.List "2.0.0" "Remove and get the last element in a list, or block until one is available" "O(N) where N is the number of provided keys." ListCommands.brpop
          cmd "BLMOVE" 6 (W ||| Deny ||| F.NoScript ||| F.Blocking) keys12 CommandGroup.List "6.2.0" "Pop an element from a list, push it to another list and return it; or block until one is available" "O(1)" ListCommands.blmove
          cmd "BRPOPLPUSH" 4 (W ||| Deny ||| F.NoScript ||| F.Blocking) keys12 CommandGroup.List "2.2.0" "Pop an element from a list, push it to another list and return it; or block until one is available" "O(1)" ListCommands.brpoplpush
          cmd "BLMPOP" -5 (W ||| F.Blocking) (KeySpec.Numkeys 2) CommandGroup.List "7.0.0" "Pop elements from a list, or block until one is available" "O(N+M) where N is the number of provided keys and M is the number of elements returned." ListCommands.blmpop

          // keyspace (db.c, expire.c, object.c)
          cmd "DEL" -2 W keysAll G "1.0.0" "Deletes one or more keys." "O(N)" KeyCommands.del
          cmd "UNLINK" -2 (W ||| Fast) keysAll G "4.0.0" "Asynchronously deletes one or more keys." "O(1) for each key removed" KeyCommands.del
          cmd "EXISTS" -2 (R ||| Fast ||| Peek) keysAll G "1.0.0" "Determines whether one or more keys exist." "O(N)" KeyCommands.exists
          cmd "TYPE" 2 (R ||| Fast ||| Peek) keys1 G "1.0.0" "Determines the type of value stored at a key." "O(1)" KeyCommands.typeOf
          cmd "KEYS" 2 R none G "1.0.0" "Returns all key names that match a pattern." "O(N)" KeyCommands.keys
          cmd "SCAN" -2 R none G "2.8.0" "Iterates over the key names in the database." "O(1) for every call. O(N) for a complete iteration." KeyCommands.scan
          cmd "RANDOMKEY" 1 R none G "1.0.0" "Returns a random key name from the database." "O(1)" KeyCommands.randomkey
          cmd "RENAME" 3 W keys12 G "1.0.0" "Renames a key and overwrites the destination." "O(1)" KeyCommands.rename
          cmd "RENAMENX" 3 (W ||| Fast) keys12 G "1.0.0" "Renames a key only when the target key name doesn't exist." "O(1)" KeyCommands.renamenx
          cmd "COPY" -3 (W ||| Deny) keys12 G "6.2.0" "Copies the value of a key to a new key." "O(N) worst case for collections" KeyCommands.copy
          cmd "MOVE" 3 (W ||| Fast) keys1 G "1.0.0" "Moves a key to another database." "O(1)" KeyCommands.move
          cmd "TOUCH" -2 (R ||| Fast) keysAll G "3.2.1" "Returns the number of existing keys out of those specified after updating the time they were last accessed." "O(N)" KeyCommands.touch
          cmd "DUMP" 2 R keys1 G "2.6.0" "Return a serialized version of the value stored at the specified key." "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)." DumpCommands.dump
          cmd "RESTORE" -4 (W ||| Deny) keys1 G "2.6.0" "Create a key using the provided serialized value, previously obtained using DUMP." "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))." DumpCommands.restore
          cmd "EXPIRE" -3 (W ||| Fast) keys1 G "1.0.0" "Sets the expiration time of a key in seconds." "O(1)" KeyCommands.expire
          cmd "PEXPIRE" -3 (W ||| Fast) keys1 G "2.6.0" "Sets the expiration time of a key in milliseconds." "O(1)" KeyCommands.pexpire
          cmd "EXPIREAT" -3 (W ||| Fast) keys1 G "1.2.0" "Sets the expiration time of a key to a Unix timestamp." "O(1)" KeyCommands.expireat
          cmd "PEXPIREAT" -3 (W ||| Fast) keys1 G "2.6.0" "Sets the expiration time of a key to a Unix milliseconds timestamp." "O(1)" KeyCommands.pexpireat
          cmd "TTL" 2 (R ||| Fast ||| Peek) keys1 G "1.0.0" "Returns the expiration time in seconds of a key." "O(1)" KeyCommands.ttl
          cmd "PTTL" 2 (R ||| Fast ||| Peek) keys1 G "2.6.0" "Returns the expiration time in milliseconds of a key." "O(1)" KeyCommands.pttl
          cmd "EXPIRETIME" 2 (R ||| Fast ||| Peek) keys1 G "7.0.0" "Returns the expiration time of a key as a Unix timestamp." "O(1)" KeyCommands.expiretime
          cmd "PEXPIRETIME" 2 (R ||| Fast ||| Peek) keys1 G "7.0.0" "Returns the expiration time of a key as a Unix milliseconds timestamp." "O(1)" KeyCommands.pexpiretime
          cmd "PERSIST" 2 (W ||| Fast) keys1 G "2.2.0" "Removes the expiration time of a key." "O(1)" KeyCommands.persist
          container "OBJECT" F.None G "2.2.3" "A container for object introspection commands." [
              cmd "ENCODING" 3 (R ||| Peek) (KeySpec.Range(2, 2, 1)) G "2.2.3" "Returns the internal encoding of a Redis object." "O(1)" KeyCommands.objectEncoding
              cmd "FREQ" 3 (R ||| Peek) (KeySpec.Range(2, 2, 1)) G "4.0.0" "Returns the logarithmic access frequency counter of a Redis object." "O(1)" KeyCommands.objectFreq
              cmd "IDLETIME" 3 (R ||| Peek) (KeySpec.Range(2, 2, 1)) G "2.2.3" "Returns the time since the last access to a Redis object." "O(1)" KeyCommands.objectIdletime
              cmd "REFCOUNT" 3 (R ||| Peek) (KeySpec.Range(2, 2, 1)) G "2.2.3" "Returns the reference count of a value of a key." "O(1)" KeyCommands.objectRefcount
              cmd "HELP" 2 (F.Loading ||| F.Stale) none G "6.2.0" "Returns helpful text about the different subcommands." "O(1)" KeyCommands.objectHelp ]
          cmd "DBSIZE" 1 (R ||| Fast) none V "1.0.0" "Returns the number of keys in the database." "O(1)" KeyCommands.dbsize
          cmd "FLUSHDB" -1 W none V "1.0.0" "Remove all keys from the current database." "O(N)" KeyCommands.flushdb
          cmd "FLUSHALL" -1 W none V "1.0.0" "Removes all keys from all databases." "O(N)" KeyCommands.flushall
          cmd "SWAPDB" 3 (W ||| Fast) none V "4.0.0" "Swaps two Redis databases." "O(N)" KeyCommands.swapdb
          cmd "SELECT" 2 (F.Loading ||| F.Stale ||| Fast) none C "1.0.0" "Changes the selected database." "O(1)" ConnectionCommands.select

          // sort (sort.c). Redis's key specs are the sorted key, then the BY/GET keys and the STORE
          // destination as "unknown" specs (movablekeys); KeySpec has no such kind: only the sorted key.
          cmd "SORT" -2 (W ||| Deny) keys1 G "1.0.0" "Sort the elements in a list, set or sorted set" "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)." SortCommands.sort
          cmd "SORT_RO" -2 R keys1 G "7.0.0" "Sort the elements in a list, set or sorted set. Read-only variant of SORT." "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)." SortCommands.sortRo

          // hashes (t_hash.c)
          cmd "HSET" -4 (W ||| Deny ||| Fast) keys1 H "2.0.0" "Set the string value of a hash field" "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs." HashCommands.hset
          cmd "HSETNX" 4 (W ||| Deny ||| Fast) keys1 H "2.0.0" "Set the value of a hash field, only if the field does not exist" "O(1)" HashCommands.hsetnx
          cmd "HMSET" -4 (W ||| Deny ||| Fast) keys1 H "2.0.0" "Set multiple hash fields to multiple values" "O(N) where N is the number of fields being set." HashCommands.hmset
          cmd "HGET" 3 (R ||| Fast) keys1 H "2.0.0" "Get the value of a hash field" "O(1)" HashCommands.hget
          cmd "HMGET" -3 (R ||| Fast) keys1 H "2.0.0" "Get the values of all the given hash fields" "O(N) where N is the number of fields being requested." HashCommands.hmget
          cmd "HDEL" -3 (W ||| Fast) keys1 H "2.0.0" "Delete one or more hash fields" "O(N) where N is the number of fields to be removed." HashCommands.hdel
          cmd "HLEN" 2 (R ||| Fast) keys1 H "2.0.0" "Get the number of fields in a hash" "O(1)" HashCommands.hlen
          cmd "HSTRLEN" 3 (R ||| Fast) keys1 H "3.2.0" "Get the length of the value of a hash field" "O(1)" HashCommands.hstrlen
          cmd "HEXISTS" 3 (R ||| Fast) keys1 H "2.0.0" "Determine if a hash field exists" "O(1)" HashCommands.hexists
          cmd "HKEYS" 2 R keys1 H "2.0.0" "Get all the fields in a hash" "O(N) where N is the size of the hash." HashCommands.hkeys
          cmd "HVALS" 2 R keys1 H "2.0.0" "Get all the values in a hash" "O(N) where N is the size of the hash." HashCommands.hvals
          cmd "HGETALL" 2 R keys1 H "2.0.0" "Get all the fields and values in a hash" "O(N) where N is the size of the hash." HashCommands.hgetall
          cmd "HINCRBY" 4 (W ||| Deny ||| Fast) keys1 H "2.0.0" "Increment the integer value of a hash field by the given number" "O(1)" HashCommands.hincrby
          cmd "HINCRBYFLOAT" 4 (W ||| Deny ||| Fast) keys1 H "2.6.0" "Increment the float value of a hash field by the given amount" "O(1)" HashCommands.hincrbyfloat
          cmd "HRANDFIELD" -2 R keys1 H "6.2.0" "Get one or multiple random fields from a hash" "O(N) where N is the number of fields returned" HashCommands.hrandfield
          cmd "HSCAN" -3 R keys1 H "2.8.0" "Incrementally iterate hash fields and associated values" "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.." HashCommands.hscan
          // sets (t_set.c)
          cmd "SADD" -3 (W ||| Deny ||| Fast) keys1 T "1.0.0" "Add one or more members to a set" "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments." SetCommands.sadd
          cmd "SREM" -3 (W ||| Fast) keys1 T "1.0.0" "Remove one or more members from a set" "O(N) where N is the number of members to be removed." SetCommands.srem
          cmd "SMEMBERS" 2 R keys1 T "1.0.0" "Get all the members in a set" "O(N) where N is the set cardinality." SetCommands.smembers
          cmd "SISMEMBER" 3 (R ||| Fast) keys1 T "1.0.0" "Determine if a given value is a member of a set" "O(1)" SetCommands.sismember
          cmd "SMISMEMBER" -3 (R ||| Fast) keys1 T "6.2.0" "Returns the membership associated with the given elements for a set" "O(N) where N is the number of elements being checked for membership" SetCommands.smismember
          cmd "SCARD" 2 (R ||| Fast) keys1 T "1.0.0" "Get the number of members in a set" "O(1)" SetCommands.scard
          cmd "SPOP" -2 (W ||| Fast) keys1 T "1.0.0" "Remove and return one or multiple random members from a set" "Without the count argument O(1), otherwise O(N) where N is the value of the passed count." SetCommands.spop
          cmd "SRANDMEMBER" -2 R keys1 T "1.0.0" "Get one or multiple random members from a set" "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count." SetCommands.srandmember
          cmd "SMOVE" 4 (W ||| Fast) keys12 T "1.0.0" "Move a member from one set to another" "O(1)" SetCommands.smove
          cmd "SINTER" -2 R keysAll T "1.0.0" "Intersect multiple sets" "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets." SetCommands.sinter
          cmd "SINTERCARD" -3 R (KeySpec.Numkeys 1) T "7.0.0" "Intersect multiple sets and return the cardinality of the result" "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets." SetCommands.sintercard
          cmd "SINTERSTORE" -3 (W ||| Deny) keysAll T "1.0.0" "Intersect multiple sets and store the resulting set in a key" "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets." SetCommands.sinterstore
          cmd "SUNION" -2 R keysAll T "1.0.0" "Add multiple sets" "O(N) where N is the total number of elements in all given sets." SetCommands.sunion
          cmd "SUNIONSTORE" -3 (W ||| Deny) keysAll T "1.0.0" "Add multiple sets and store the resulting set in a key" "O(N) where N is the total number of elements in all given sets." SetCommands.sunionstore
          cmd "SDIFF" -2 R keysAll T "1.0.0" "Subtract multiple sets" "O(N) where N is the total number of elements in all given sets." SetCommands.sdiff
          cmd "SDIFFSTORE" -3 (W ||| Deny) keysAll T "1.0.0" "Subtract multiple sets and store the resulting set in a key" "O(N) where N is the total number of elements in all given sets." SetCommands.sdiffstore
          cmd "SSCAN" -3 R keys1 T "2.8.0" "Incrementally iterate Set elements" "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.." SetCommands.sscan

          // sorted sets (t_zset.c)
          cmd "ZADD" -4 (W ||| Deny ||| Fast) keys1 Z "1.2.0" "Add one or more members to a sorted set, or update its score if it already exists" "O(log(N)) for each item added, where N is the number of elements in the sorted set." SortedSetCommands.zadd
          cmd "ZINCRBY" 4 (W ||| Deny ||| Fast) keys1 Z "1.2.0" "Increment the score of a member in a sorted set" "O(log(N)) where N is the number of elements in the sorted set." SortedSetCommands.zincrby
          cmd "ZREM" -3 (W ||| Fast) keys1 Z "1.2.0" "Remove one or more members from a sorted set" "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed." SortedSetCommands.zrem
          cmd "ZCARD" 2 (R ||| Fast) keys1 Z "1.2.0" "Get the number of members in a sorted set" "O(1)" SortedSetCommands.zcard
          cmd "ZSCORE" 3 (R ||| Fast) keys1 Z "1.2.0" "Get the score associated with the given member in a sorted set" "O(1)" SortedSetCommands.zscore
          cmd "ZMSCORE" -3 (R ||| Fast) keys1 Z "6.2.0" "Get the score associated with the given members in a sorted set" "O(N) where N is the number of members being requested." SortedSetCommands.zmscore
          cmd "ZRANK" 3 (R ||| Fast) keys1 Z "2.0.0" "Determine the index of a member in a sorted set" "O(log(N))" SortedSetCommands.zrank
          cmd "ZREVRANK" 3 (R ||| Fast) keys1 Z "2.0.0" "Determine the index of a member in a sorted set, with scores ordered from high to low" "O(log(N))" SortedSetCommands.zrevrank
          cmd "ZCOUNT" 4 (R ||| Fast) keys1 Z "2.0.0" "Count the members in a sorted set with scores within the given values" "O(log(N)) with N being the number of elements in the sorted set." SortedSetCommands.zcount
          cmd "ZLEXCOUNT" 4 (R ||| Fast) keys1 Z "2.8.9" "Count the number of members in a sorted set between a given lexicographical range" "O(log(N)) with N being the number of elements in the sorted set." SortedSetCommands.zlexcount
          cmd "ZRANGE" -4 R keys1 Z "1.2.0" "Return a range of members in a sorted set" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned." SortedSetCommands.zrange
          cmd "ZRANGESTORE" -5 (W ||| Deny) keys12 Z "6.2.0" "Store a range of members from sorted set into another key" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key." SortedSetCommands.zrangestore
          cmd "ZREVRANGE" -4 R keys1 Z "1.2.0" "Return a range of members in a sorted set, by index, with scores ordered from high to low" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned." SortedSetCommands.zrevrange
          cmd "ZRANGEBYSCORE" -4 R keys1 Z "1.0.5" "Return a range of members in a sorted set, by score" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))." SortedSetCommands.zrangebyscore
          cmd "ZREVRANGEBYSCORE" -4 R keys1 Z "2.2.0" "Return a range of members in a sorted set, by score, with scores ordered from high to low" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))." SortedSetCommands.zrevrangebyscore
          cmd "ZRANGEBYLEX" -4 R keys1 Z "2.8.9" "Return a range of members in a sorted set, by lexicographical range" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))." SortedSetCommands.zrangebylex
          cmd "ZREVRANGEBYLEX" -4 R keys1 Z "2.8.9" "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings." "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))." SortedSetCommands.zrevrangebylex
          cmd "ZREMRANGEBYRANK" 4 W keys1 Z "2.0.0" "Remove all members in a sorted set within the given indexes" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation." SortedSetCommands.zremrangebyrank
          cmd "ZREMRANGEBYSCORE" 4 W keys1 Z "1.2.0" "Remove all members in a sorted set within the given scores" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation." SortedSetCommands.zremrangebyscore
          cmd "ZREMRANGEBYLEX" 4 W keys1 Z "2.8.9" "Remove all members in a sorted set between the given lexicographical range" "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation." SortedSetCommands.zremrangebylex
          cmd "ZPOPMIN" -2 (W ||| Fast) keys1 Z "5.0.0" "Remove and return members with the lowest scores in a sorted set" "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped." SortedSetPopCommands.zpopmin
          cmd "ZPOPMAX" -2 (W ||| Fast) keys1 Z "5.0.0" "Remove and return members with the highest scores in a sorted set" "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped." SortedSetPopCommands.zpopmax
          cmd "ZMPOP" -4 W (KeySpec.Numkeys 1) Z "7.0.0" "Remove and return members with scores in a sorted set" "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped." SortedSetPopCommands.zmpop
          cmd "BZPOPMIN" -3 (W ||| F.NoScript ||| F.Blocking ||| Fast) (KeySpec.Range(1, -2, 1)) Z "5.0.0" "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available" "O(log(N)) with N being the number of elements in the sorted set." SortedSetPopCommands.bzpopmin
          cmd "BZPOPMAX" -3 (W ||| F.NoScript ||| F.Blocking ||| Fast) (KeySpec.Range(1, -2, 1)) Z "5.0.0" "Remove and return the member with the highest score from one or more sorted sets, or block until one is available" "O(log(N)) with N being the number of elements in the sorted set." SortedSetPopCommands.bzpopmax
          cmd "BZMPOP" -5 (W ||| F.Blocking) (KeySpec.Numkeys 2) Z "7.0.0" "Remove and return members with scores in a sorted set or block until one is available" "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped." SortedSetPopCommands.bzmpop
          cmd "ZRANDMEMBER" -2 R keys1 Z "6.2.0" "Get one or multiple random elements from a sorted set" "O(N) where N is the number of elements returned" SortedSetCommands.zrandmember
          cmd "ZUNION" -3 R (KeySpec.Numkeys 1) Z "6.2.0" "Add multiple sorted sets" "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set." SortedSetAlgebraCommands.zunion
          cmd "ZINTER" -3 R (KeySpec.Numkeys 1) Z "6.2.0" "Intersect multiple sorted sets" "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set." SortedSetAlgebraCommands.zinter
          cmd "ZDIFF" -3 R (KeySpec.Numkeys 1) Z "6.2.0" "Subtract multiple sorted sets" "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set." SortedSetAlgebraCommands.zdiff
          cmd "ZUNIONSTORE" -4 (W ||| Deny) keys1 Z "2.0.0" "Add multiple sorted sets and store the resulting sorted set in a new key" "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set." SortedSetAlgebraCommands.zunionstore
          cmd "ZINTERSTORE" -4 (W ||| Deny) keys1 Z "2.0.0" "Intersect multiple sorted sets and store the resulting sorted set in a new key" "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set." SortedSetAlgebraCommands.zinterstore
          cmd "ZDIFFSTORE" -4 (W ||| Deny) keys1 Z "6.2.0" "Subtract multiple sorted sets and store the resulting sorted set in a new key" "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set." SortedSetAlgebraCommands.zdiffstore
          cmd "ZINTERCARD" -3 R (KeySpec.Numkeys 1) Z "7.0.0" "Intersect multiple sorted sets and return the cardinality of the result" "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets." SortedSetAlgebraCommands.zintercard
          cmd "ZSCAN" -3 R keys1 Z "2.8.0" "Incrementally iterate sorted sets elements and associated scores" "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.." SortedSetCommands.zscan

          // streams (t_stream.c)
          cmd "XADD" -5 (W ||| Deny ||| Fast) keys1 X "5.0.0" "Appends a new entry to a stream" "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted." StreamCommands.xadd
          cmd "XLEN" 2 (R ||| Fast) keys1 X "5.0.0" "Return the number of entries in a stream" "O(1)" StreamCommands.xlen
          cmd "XRANGE" -4 R keys1 X "5.0.0" "Return a range of elements in a stream, with IDs matching the specified IDs interval" "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)." StreamCommands.xrange
          cmd "XREVRANGE" -4 R keys1 X "5.0.0" "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE" "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)." StreamCommands.xrevrange
          cmd "XDEL" -3 (W ||| Fast) keys1 X "5.0.0" "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist." "O(1) for each single item to delete in the stream, regardless of the stream size." StreamCommands.xdel
          cmd "XTRIM" -4 W keys1 X "5.0.0" "Trims the stream to (approximately if '~' is passed) a certain size" "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation." StreamCommands.xtrim
          cmd "XSETID" -3 (W ||| Deny ||| Fast) keys1 X "5.0.0" "An internal command for replicating stream values" "O(1)" StreamCommands.xsetid
          cmd "XREAD" -4 (R ||| F.Blocking) (KeySpec.Keyword "STREAMS") X "5.0.0" "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block." "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data." StreamReadCommands.xread
          cmd "XREADGROUP" -7 (W ||| F.Blocking) (KeySpec.Keyword "STREAMS") X "5.0.0" "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block." "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data." StreamReadCommands.xreadgroup
          container "XGROUP" F.None X "5.0.0" "A container for consumer groups commands" [
              cmd "CREATE" -5 (W ||| Deny) (KeySpec.Range(2, 2, 1)) X "5.0.0" "Create a consumer group." "O(1)" StreamGroupCommands.xgroupCreate
              cmd "SETID" -5 W (KeySpec.Range(2, 2, 1)) X "5.0.0" "Set a consumer group to an arbitrary last delivered ID value." "O(1)" StreamGroupCommands.xgroupSetid
              cmd "DESTROY" 4 W (KeySpec.Range(2, 2, 1)) X "5.0.0" "Destroy a consumer group." "O(N) where N is the number of entries in the group's pending entries list (PEL)." StreamGroupCommands.xgroupDestroy
              cmd "CREATECONSUMER" 5 (W ||| Deny) (KeySpec.Range(2, 2, 1)) X "6.2.0" "Create a consumer in a consumer group." "O(1)" StreamGroupCommands.xgroupCreateconsumer
              cmd "DELCONSUMER" 5 W (KeySpec.Range(2, 2, 1)) X "5.0.0" "Delete a consumer from a consumer group." "O(1)" StreamGroupCommands.xgroupDelconsumer
              cmd "HELP" 2 (F.Loading ||| F.Stale) none X "5.0.0" "Show helpful text about the different subcommands" "O(1)" StreamGroupCommands.xgroupHelp ]
          cmd "XACK" -4 (W ||| Fast) keys1 X "5.0.0" "Marks a pending message as correctly processed, effectively removing it from the pending entries list of the consumer group. Return value of the command is the number of messages successfully acknowledged, that is, the IDs we were actually able to resolve in the PEL." "O(1) for each message ID processed." StreamGroupCommands.xack
          cmd "XPENDING" -3 R keys1 X "5.0.0" "Return information and entries from a stream consumer group pending entries list, that are messages fetched but never acknowledged." "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer." StreamGroupCommands.xpending
          cmd "XCLAIM" -6 (W ||| Fast) keys1 X "5.0.0" "Changes (or acquires) ownership of a message in a consumer group, as if the message was delivered to the specified consumer." "O(log N) with N being the number of messages in the PEL of the consumer group." StreamGroupCommands.xclaim
          cmd "XAUTOCLAIM" -6 (W ||| Fast) keys1 X "6.2.0" "Changes (or acquires) ownership of messages in a consumer group, as if the messages were delivered to the specified consumer." "O(1) if COUNT is small." StreamGroupCommands.xautoclaim
          container "XINFO" F.None X "5.0.0" "A container for stream introspection commands" [
              cmd "STREAM" -3 R (KeySpec.Range(2, 2, 1)) X "5.0.0" "Get information about a stream" "O(1)" StreamInfoCommands.xinfoStream
              cmd "GROUPS" 3 R (KeySpec.Range(2, 2, 1)) X "5.0.0" "List the consumer groups of a stream" "O(1)" StreamInfoCommands.xinfoGroups
              cmd "CONSUMERS" 4 R (KeySpec.Range(2, 2, 1)) X "5.0.0" "List the consumers in a consumer group" "O(1)" StreamInfoCommands.xinfoConsumers
              cmd "HELP" 2 (F.Loading ||| F.Stale) none X "5.0.0" "Show helpful text about the different subcommands" "O(1)" StreamInfoCommands.xinfoHelp ]
          // pub/sub (pubsub.c)
          cmd "SUBSCRIBE" -2 Sub none P "2.0.0" "Listen for messages published to the given channels" "O(N) where N is the number of channels to subscribe to." PubSubCommands.subscribe
          cmd "UNSUBSCRIBE" -1 Sub none P "2.0.0" "Stop listening for messages posted to the given channels" "O(N) where N is the number of clients already subscribed to a channel." PubSubCommands.unsubscribe
          cmd "PSUBSCRIBE" -2 Sub none P "2.0.0" "Listen for messages published to channels matching the given patterns" "O(N) where N is the number of patterns the client is already subscribed to." PubSubCommands.psubscribe
          cmd "PUNSUBSCRIBE" -1 Sub none P "2.0.0" "Stop listening for messages posted to channels matching the given patterns" "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client)." PubSubCommands.punsubscribe
          cmd "PUBLISH" 3 (PS ||| Fast) none P "2.0.0" "Post a message to a channel" "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client)." PubSubCommands.publish
          cmd "SSUBSCRIBE" -2 Sub keysAll P "7.0.0" "Listen for messages published to the given shard channels" "O(N) where N is the number of shard channels to subscribe to." PubSubCommands.ssubscribe
          cmd "SUNSUBSCRIBE" -1 Sub keysAll P "7.0.0" "Stop listening for messages posted to the given shard channels" "O(N) where N is the number of clients already subscribed to a shard channel." PubSubCommands.sunsubscribe
          cmd "SPUBLISH" 3 (PS ||| Fast) keys1 P "7.0.0" "Post a message to a shard channel" "O(N) where N is the number of clients subscribed to the receiving shard channel." PubSubCommands.spublish
          container "PUBSUB" F.None P "2.8.0" "A container for Pub/Sub commands" [
              cmd "CHANNELS" -2 PS none P "2.8.0" "List active channels" "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)" PubSubCommands.pubsubChannels
              cmd "NUMSUB" -2 PS none P "2.8.0" "Get the count of subscribers for channels" "O(N) for the NUMSUB subcommand, where N is the number of requested channels" PubSubCommands.pubsubNumsub
              cmd "NUMPAT" 2 PS none P "2.8.0" "Get the count of unique patterns pattern subscriptions" "O(1)" PubSubCommands.pubsubNumpat
              cmd "SHARDCHANNELS" -2 PS none P "7.0.0" "List active shard channels" "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels)." PubSubCommands.pubsubShardchannels
              cmd "SHARDNUMSUB" -2 PS none P "7.0.0" "Get the count of subscribers for shard channels" "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels" PubSubCommands.pubsubShardnumsub
              cmd "HELP" 2 (F.Loading ||| F.Stale) none P "6.2.0" "Show helpful text about the different subcommands" "O(1)" PubSubCommands.pubsubHelp ]

          // connection (networking.c)
          cmd "PING" -1 (Fast ||| F.SubscribedContext) none C "1.0.0" "Returns the server's liveliness response." "O(1)" ConnectionCommands.ping
          cmd "ECHO" 2 Fast none C "1.0.0" "Returns the given string." "O(1)" ConnectionCommands.echo
          // transactions (multi.c)
          cmd "MULTI" 1 (Conn ||| F.AllowBusy) none Tx "1.2.0" "Mark the start of a transaction block" "O(1)" TransactionCommands.multi
          cmd "EXEC" 1 (F.NoScript ||| F.Loading ||| F.Stale) none Tx "1.2.0" "Execute all commands issued after MULTI" "Depends on commands in the transaction" TransactionCommands.execRow
          cmd "DISCARD" 1 (Conn ||| F.AllowBusy) none Tx "2.0.0" "Discard all commands issued after MULTI" "O(N), when N is the number of queued commands" TransactionCommands.discard
          cmd "WATCH" -2 (Conn ||| F.AllowBusy) keysAll Tx "2.2.0" "Watch the given keys to determine execution of the MULTI/EXEC block" "O(1) for every key." TransactionCommands.watch
          cmd "UNWATCH" 1 (Conn ||| F.AllowBusy) none Tx "2.2.0" "Forget about all watched keys" "O(1)" TransactionCommands.unwatch
          cmd "QUIT" -1 (Conn ||| F.NoAuth ||| F.AllowBusy ||| F.SubscribedContext) none C "1.0.0" "Closes the connection." "O(1)" ConnectionCommands.quit
          cmd "RESET" 1 (Conn ||| F.NoAuth ||| F.SubscribedContext) none C "6.2.0" "Resets the connection." "O(1)" ConnectionCommands.reset
          cmd "HELLO" -1 (Conn ||| F.NoAuth) none C "6.0.0" "Handshakes with the Redis server." "O(1)" ConnectionCommands.hello
          cmd "AUTH" -2 (Conn ||| F.NoAuth ||| F.AllowBusy) none C "1.0.0" "Authenticates the connection." "O(N)" ConnectionCommands.auth
          container "CLIENT" F.None C "2.4.0" "A container for client connection commands." [
              cmd "ID" 2 Conn none C "5.0.0" "Returns the unique client ID of the connection." "O(1)" ConnectionCommands.clientId
              cmd "SETNAME" 3 Conn none C "2.6.9" "Sets the connection name." "O(1)" ConnectionCommands.clientSetname
              cmd "GETNAME" 2 Conn none C "2.6.9" "Returns the name of the connection." "O(1)" ConnectionCommands.clientGetname
              cmd "LIST" -2 (Adm ||| F.NoScript) none C "2.4.0" "Lists open connections." "O(N)" ConnectionCommands.clientList
              cmd "INFO" 2 Conn none C "6.2.0" "Returns information about the connection." "O(1)" ConnectionCommands.clientInfo
              cmd "KILL" -3 Adm none C "2.4.0" "Terminates open connections." "O(N)" ConnectionCommands.clientKill
              cmd "PAUSE" -3 Adm none C "3.0.0" "Suspends commands processing." "O(1)" ConnectionCommands.clientPause
              cmd "UNBLOCK" -3 Adm none C "5.0.0" "Unblocks a client blocked by a blocking command from a different connection." "O(log N) where N is the number of client connections" ConnectionCommands.clientUnblock
              cmd "UNPAUSE" 2 Adm none C "6.2.0" "Resumes processing commands from paused clients." "O(N)" ConnectionCommands.clientUnpause
              cmd "REPLY" 3 Conn none C "3.2.0" "Instructs the server whether to reply to commands." "O(1)" ConnectionCommands.clientReply
              cmd "NO-EVICT" 3 Adm none C "7.0.0" "Sets the client eviction mode of the connection." "O(1)" ConnectionCommands.clientNoEvict
              cmd "SETINFO" 4 Conn none C "7.2.0" "Sets information specific to the client or connection." "O(1)" ConnectionCommands.clientSetinfo
              cmd "HELP" 2 (F.Loading ||| F.Stale) none C "5.0.0" "Returns helpful text about the different subcommands." "O(1)" ConnectionCommands.clientHelp ]

          // server (server.c, config.c, debug.c)
          cmd "INFO" -1 (F.Loading ||| F.Stale) none V "1.0.0" "Returns information and statistics about the server." "O(1)" ServerCommands.info
          container "CONFIG" F.None V "2.0.0" "A container for server configuration commands." [
              cmd "GET" -3 Adm none V "2.0.0" "Returns the effective values of configuration parameters." "O(N)" ServerCommands.configGet
              cmd "SET" -4 Adm none V "2.0.0" "Sets configuration parameters in-flight." "O(N)" ServerCommands.configSet
              cmd "RESETSTAT" 2 Adm none V "2.0.0" "Resets the server's statistics." "O(1)" ServerCommands.configResetstat
              cmd "HELP" 2 (F.Loading ||| F.Stale) none V "5.0.0" "Returns helpful text about the different subcommands." "O(1)" ServerCommands.configHelp ]
          cmd "TIME" 1 (F.Loading ||| F.Stale ||| Fast) none V "2.6.0" "Returns the server time." "O(1)" ServerCommands.time
          cmd "DEBUG" -2 Adm none V "1.0.0" "A container for debugging commands." "Depends on subcommand." ServerCommands.debug
          cmd "SHUTDOWN" -1 (Adm ||| F.NoMulti ||| F.AllowBusy) none V "1.0.0" "Synchronously saves the database(s) to disk and shuts down the Redis server." "O(N)" ServerCommands.shutdown
          cmd "SAVE" 1 (F.Admin ||| F.NoScript ||| F.NoMulti) none V "1.0.0" "Synchronously save the dataset to disk" "O(N) where N is the total number of keys in all databases" ServerCommands.save
          cmd "BGSAVE" -1 (F.Admin ||| F.NoScript) none V "1.0.0" "Asynchronously save the dataset to disk" "O(1)" ServerCommands.bgsave
          // replication (replication.c)
          cmd "REPLCONF" -1 (Adm ||| F.AllowBusy) none V "3.0.0" "An internal command for configuring the replication stream" "O(1)" ReplicationCommands.replconf
          cmd "PSYNC" -3 (F.Admin ||| F.NoScript ||| F.NoMulti) none V "2.8.0" "Internal command used for replication" "" ReplicationCommands.psync
          cmd "SYNC" 1 (F.Admin ||| F.NoScript ||| F.NoMulti) none V "1.0.0" "Internal command used for replication" "" ReplicationCommands.sync
          cmd "WAIT" 3 F.NoScript none G "3.0.0" "Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed." "O(1)" ReplicationCommands.wait
          cmd "REPLICAOF" 3 (F.Admin ||| F.NoScript ||| F.Stale) none V "5.0.0" "Configures a server as replica of another, or promotes it to a master." "O(1)" ReplicationCommands.replicaof
          cmd "SLAVEOF" 3 (F.Admin ||| F.NoScript ||| F.Stale) none V "1.0.0" "Sets a Redis server as a replica of another, or promotes it to being a master." "O(1)" ReplicationCommands.replicaof
          cmd "ROLE" 1 (F.NoScript ||| F.Loading ||| F.Stale ||| Fast) none V "2.8.12" "Returns the replication role." "O(1)" ReplicationCommands.role
          cmd "BGREWRITEAOF" 1 (F.Admin ||| F.NoScript) none V "1.0.0" "Asynchronously rewrite the append-only file" "O(1)" ServerCommands.bgrewriteaof
          cmd "LASTSAVE" 1 (F.Loading ||| F.Stale ||| Fast) none V "1.0.0" "Get the UNIX time stamp of the last successful save to disk" "O(1)" ServerCommands.lastsave
          container "COMMAND" (F.Loading ||| F.Stale) V "2.8.13" "Returns detailed information about all commands." [
              cmd "COUNT" 2 (F.Loading ||| F.Stale) none V "2.8.13" "Returns a count of commands." "O(1)" (fun c s a w -> CommandDocs.count table.Value c s a w)
              cmd "INFO" -2 (F.Loading ||| F.Stale) none V "2.8.13" "Returns information about one, multiple or all commands." "O(N)" (fun c s a w -> CommandDocs.commandInfo table.Value c s a w)
              cmd "DOCS" -2 (F.Loading ||| F.Stale) none V "7.0.0" "Returns documentary information about one, multiple or all commands." "O(N)" (fun c s a w -> CommandDocs.commandDocs table.Value c s a w)
              cmd "LIST" -2 (F.Loading ||| F.Stale) none V "7.0.0" "Returns a list of command names." "O(N)" (fun c s a w -> CommandDocs.list table.Value c s a w)
              cmd "HELP" 2 (F.Loading ||| F.Stale) none V "5.0.0" "Returns helpful text about the different subcommands." "O(1)" CommandDocs.help ] ]

/// Every command, top level, subcommands nested.
let all () = table.Value

/// COMMAND with no subcommand is the container's own handler.
let private withCommandHandler (specs: CommandSpec list) =
    specs
    |> List.map (fun c ->
        if c.Name = "COMMAND" then
            { c with
                Arity = -1
                Handler = fun ctx s a w -> CommandDocs.command table.Value ctx s a w }
        else
            c)

let inline private lower (c: byte) =
    if c >= 65uy && c <= 90uy then c + 32uy else c

/// Case-insensitive lookup by argv bytes, allocation-free.
[<Sealed>]
type private TokenComparer() =
    interface System.Collections.Generic.IEqualityComparer<Bytes> with
        member _.Equals(a, b) =
            a.Length = b.Length
            && (let mutable ok = true
                let mutable i = 0

                while ok && i < a.Length do
                    ok <- lower a[i] = lower b[i]
                    i <- i + 1

                ok)

        member _.GetHashCode b =
            let mutable h = 17

            for c in b do
                h <- h * 31 + int (lower c)

            h

let private index (specs: CommandSpec list) =
    let d = System.Collections.Generic.Dictionary<Bytes, CommandSpec>(TokenComparer())

    for c in specs do
        d[Bytes.ofString c.Name] <- c

    d

let private topLevel = lazy (index (withCommandHandler table.Value))

let private subIndex =
    lazy (table.Value |> List.filter (fun c -> not c.Subcommands.IsEmpty) |> List.map (fun c -> c.Name, index c.Subcommands) |> dict)

/// The spec for argv[0], if any.
let tryFind (name: Bytes) : CommandSpec voption =
    match topLevel.Value.TryGetValue name with
    | true, c -> ValueSome c
    | _ -> ValueNone

/// The subcommand spec of a container, if any.
let tryFindSub (container: CommandSpec) (name: Bytes) : CommandSpec voption =
    match subIndex.Value[container.Name].TryGetValue name with
    | true, c -> ValueSome c
    | _ -> ValueNone
