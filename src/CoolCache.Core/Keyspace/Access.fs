/// What each key remembers of its accesses, for the LRU and LFU eviction policies and OBJECT IDLETIME /
/// FREQ (evict.c, object.c). One int64 per key: the unix ms of the last access shifted left by 8, and in
/// the low 8 bits Redis's logarithmic access counter (LFU_INIT_VAL for a new key). Redis keeps one
/// 24-bit field read either way by the policy; here both halves are always there, the stamp always
/// moves and the counter moves only under an LFU policy (switching policy at run time keeps the
/// counters as they were, where Redis's "will take some time to adjust").
module CoolCache.Core.Keyspace.Access

/// LFU_INIT_VAL: a new key's counter, so that new keys are not evicted at once.
[<Literal>]
let InitFreq = 5L

/// Stamp and counter as one value. O(1).
let inline pack (ms: int64) (freq: int64) = (ms <<< 8) ||| freq

/// The unix ms of the last access.
let inline stampMs (access: int64) = access >>> 8

/// The stored LFU counter (before decay).
let inline counter (access: int64) = access &&& 0xFFL

/// A new key's access: now, with the initial counter.
let inline created (now: int64) = pack now InitFreq

/// OBJECT IDLETIME: whole seconds between the last access and now, on Redis's second-resolution LRU
/// clock (both instants floored to the second).
let idleSeconds (now: int64) (access: int64) =
    max 0L (now / 1000L - stampMs access / 1000L)

/// LFUDecrAndReturn: the counter less one per lfu-decay-time minutes (on the minute clock) since the
/// last access; decay 0 never decays.
let decayed (decayTime: int64) (now: int64) (access: int64) =
    let c = counter access

    if decayTime <= 0L then
        c
    else
        let periods = (now / 60000L - stampMs access / 60000L) / decayTime

        if periods <= 0L then c
        elif periods > c then 0L
        else c - periods

/// LFULogIncr: the counter grows by one with probability 1 / ((counter - LFU_INIT_VAL) * factor + 1),
/// r being uniform in [0, 1); 255 is the ceiling.
let logIncr (factor: int64) (r: float) (c: int64) =
    if c >= 255L then
        255L
    else
        let baseval = max 0.0 (float (c - InitFreq))

        if r < 1.0 / (baseval * float factor + 1.0) then
            c + 1L
        else
            c

/// A uniform float in [0, 1) from a seed.
let inline uniform (seed: uint64) =
    float (CoolCache.Core.Collections.Champ.mix64 seed >>> 11)
    * (1.0 / 9007199254740992.0)

/// The access after a lookup at now (lookupKey): under LFU the counter decays, then may grow
/// (updateLFU); under LRU only the stamp moves.
let touched (lfu: bool) (factor: int64) (decayTime: int64) (seed: uint64) (now: int64) (access: int64) =
    if lfu then
        let c = decayed decayTime now access
        // Below LFU_INIT_VAL + 1 the increment is certain: no random number needed.
        let c =
            if c <= InitFreq then
                c + 1L
            else
                logIncr factor (uniform seed) c

        pack now c
    else
        pack now (counter access)
