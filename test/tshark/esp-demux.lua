-- hipmm: demultiplex UDP/10500 the way RFC 5770 §5.1 and PROFILE §3 do.
-- A datagram starting with 32 zero bits is a HIP control packet: hand it to Wireshark's own
-- HIP-over-UDP dissector (which skips the marker). A single 0xff byte is a NAT keepalive.
-- 00 00 00 FA + a tunnel frame (docs/PROTOCOL.md §4, §9) is a Forwarding Agent relay frame:
-- the inner datagram is dissected as if it had been sent between the frame's locators.
-- Anything else is ESP (RFC 4303) and goes to the "esp" dissector, so that tshark can check
-- ICVs and decrypt with the esp_sa UAT. Usage: tshark -X lua_script:esp-demux.lua ...
local udp_table = DissectorTable.get("udp.port")
local hip_udp = udp_table:get_dissector(10500)
local esp = Dissector.get("esp")

local demux = Proto("hipmm_udp", "hipmm UDP/10500 demultiplexer")
local f_kind = ProtoField.string("hipmm_udp.kind", "Kind")
local f_src = ProtoField.string("hipmm_udp.relay_src", "Relay source locator")
local f_dst = ProtoField.string("hipmm_udp.relay_dst", "Relay destination locator")
demux.fields = { f_kind, f_src, f_dst }

-- 16-byte address (IPv6 or IPv4-mapped) at tvb(off) as a Wireshark Address and text.
local function locator(tvb, off)
  local mapped = tvb(off, 10):bytes():tohex() == "00000000000000000000" and tvb(off + 10, 2):uint() == 0xffff
  if mapped then
    local a = tvb(off + 12, 4):ipv4()
    return Address.ip(tostring(a)), tostring(a)
  end
  local a = tvb(off, 16):ipv6()
  return Address.ipv6(tostring(a)), tostring(a)
end

local dissect

local function relay(tvb, pinfo, tree)
  local n = tvb:len()
  if n < 8 or tvb(4, 1):uint() ~= 1 or tvb(5, 1):uint() ~= 1 then return 0 end
  local compact = bit.band(tvb(6, 1):uint(), 1) == 1
  local sub = tree:add(demux, tvb(0, compact and 8 or math.min(n, 44)))
  sub:add(f_kind, "fa-relay")
  if compact then return dissect(tvb(8):tvb(), pinfo, tree) end
  if n < 44 then return 0 end
  local src, stext = locator(tvb, 12)
  local dst, dtext = locator(tvb, 28)
  sub:add(f_src, stext .. ":" .. tvb(8, 2):uint())
  sub:add(f_dst, dtext .. ":" .. tvb(10, 2):uint())
  -- The inner HIP checksum covers the pseudo-header of the relayed locators, not the outer ones.
  pinfo.src = src
  pinfo.dst = dst
  return dissect(tvb(44):tvb(), pinfo, tree)
end

dissect = function(tvb, pinfo, tree)
  local n = tvb:len()
  if n >= 4 and tvb(0, 4):uint() == 0 then
    tree:add(demux, tvb(0, 4)):add(f_kind, "hip")
    return hip_udp:call(tvb, pinfo, tree)
  end
  if n == 1 and tvb(0, 1):uint() == 0xff then
    tree:add(demux, tvb(0, 1)):add(f_kind, "keepalive")
    pinfo.cols.protocol = "NAT-keepalive"
    return n
  end
  if n >= 8 and tvb(0, 4):uint() == 0xfa then
    local r = relay(tvb, pinfo, tree)
    if r > 0 then return n end
  end
  tree:add(demux, tvb(0, 0)):add(f_kind, "esp")
  return esp:call(tvb, pinfo, tree)
end

function demux.dissector(tvb, pinfo, tree)
  return dissect(tvb, pinfo, tree)
end

udp_table:add(10500, demux)
