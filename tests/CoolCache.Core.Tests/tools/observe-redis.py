# Observes a real redis-server (7.0.x) for the tables in Prelude/RedisObservations.fs.
# Usage: redis-server --port 7399 --bind 127.0.0.1 --save '' --appendonly no &  then  python3 observe-redis.py
# (writes /tmp/rdata/data.json; the F# table was generated from it). It FLUSHALLs the server it talks to.
import socket, random, struct, math, json
class R:
    def __init__(s, port):
        s.s = socket.create_connection(("127.0.0.1", port)); s.f = s.s.makefile('rb')
    def cmd(s, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            if isinstance(a, str): a = a.encode('latin1')
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        s.s.sendall(out); return s.read()
    def read(s):
        line = s.f.readline()[:-2]; t = line[:1]; rest = line[1:]
        if t == b'+': return rest.decode()
        if t == b'-': return ('ERR', rest.decode())
        if t == b':': return int(rest)
        if t == b'$':
            n = int(rest)
            if n < 0: return None
            d = s.f.read(n + 2)[:-2]; return d.decode('latin1')
        if t == b'*':
            n = int(rest); return [s.read() for _ in range(n)]
r = R(7399)
rnd = random.Random(20240601)
r.cmd("FLUSHALL")
def rdec():
    k = rnd.randrange(6)
    sign = rnd.choice(["", "-", "", "+"]) if k != 5 else ""
    ip = str(rnd.randrange(0, 10**rnd.randrange(1, 22)))
    fp = "".join(rnd.choice("0123456789") for _ in range(rnd.randrange(0, 22)))
    s = sign + ip + ("." + fp if fp or rnd.random() < 0.2 else "")
    if k in (1, 2): s += rnd.choice("eE") + rnd.choice(["", "-", "+"]) + str(rnd.randrange(0, 40))
    if k == 3: s = sign + "0." + "0" * rnd.randrange(0, 25) + str(rnd.randrange(1, 10**rnd.randrange(1, 20)))
    if k == 4: s = sign + "0x" + "".join(rnd.choice("0123456789abcdefABCDEF") for _ in range(rnd.randrange(1, 20))) + ("p" + str(rnd.randrange(-70, 70)) if rnd.random() < 0.7 else "")
    if k == 5: s = repr(struct.unpack('<d', struct.pack('<Q', rnd.getrandbits(64)))[0])
    return s
inc = []
for _ in range(120):
    a, b = rdec(), rdec()
    r.cmd("SET", "k", a)
    res = r.cmd("INCRBYFLOAT", "k", b)
    inc.append([a, b, res if isinstance(res, str) else "ERR " + res[1]])
r.cmd("CONFIG", "SET", "zset-max-listpack-entries", "0")
z = []
for i in range(150):
    bits = rnd.getrandbits(64)
    if i % 3 == 0:  # bias to ordinary magnitudes
        d = rnd.uniform(-1e6, 1e6) * 10 ** rnd.randrange(-25, 25)
    else:
        d = struct.unpack('<d', struct.pack('<Q', bits))[0]
    if math.isnan(d) or math.isinf(d): continue
    r.cmd("DEL", "z"); r.cmd("ZADD", "z", repr(d), "m")
    z.append([struct.unpack('<q', struct.pack('<d', d))[0], r.cmd("ZSCORE", "z", "m")])
r.cmd("CONFIG", "SET", "zset-max-listpack-entries", "128")
r.cmd("FLUSHALL")
keys = set()
while len(keys) < 14:
    keys.add("".join(rnd.choice("ab-]") for _ in range(rnd.randrange(1, 5))))
keys = sorted(keys)
for k in keys: r.cmd("SET", k, "1")
globs = []
for _ in range(150):
    p = "".join(rnd.choice("ab*?[]^-\\") for _ in range(rnd.randrange(1, 8)))
    if p == "*": continue
    globs.append([p, sorted(r.cmd("KEYS", p))])
json.dump({"incr": inc, "zscore": z, "keys": keys, "globs": globs}, open("/tmp/rdata/data.json", "w"), indent=0)
print(len(inc), len(z), len(globs))
for x in inc[:15]: print(x)
