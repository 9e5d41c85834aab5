/// Redis glob-style matching (util.c stringmatchlen): KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE.
/// PLACEHOLDER: signature is the contract.
module CoolCache.Core.Glob

/// True when text matches pattern; nocase folds ASCII case.
let isMatch (pattern: Bytes) (text: Bytes) (nocase: bool) : bool =
    let p = Bytes.toLatin1 pattern
    let t = Bytes.toLatin1 text
    let t, p = if nocase then t.ToLowerInvariant(), p.ToLowerInvariant() else t, p

    let rec go pi ti =
        if pi = p.Length then ti = t.Length
        elif p[pi] = '*' then go (pi + 1) ti || (ti < t.Length && go pi (ti + 1))
        elif ti < t.Length && (p[pi] = '?' || p[pi] = t[ti]) then go (pi + 1) (ti + 1)
        else false

    go 0 0
