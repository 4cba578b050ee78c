-- hipmm: demultiplex UDP/10500 the way RFC 5770 §5.1 and PROFILE §3 do.
-- A datagram starting with 32 zero bits is a HIP control packet: hand it to Wireshark's own
-- HIP-over-UDP dissector (which skips the marker). A single 0xff byte is a NAT keepalive.
-- Anything else is ESP (RFC 4303) and goes to the "esp" dissector, so that tshark can check
-- ICVs and decrypt with the esp_sa UAT. Usage: tshark -X lua_script:esp-demux.lua ...
local udp_table = DissectorTable.get("udp.port")
local hip_udp = udp_table:get_dissector(10500)
local esp = Dissector.get("esp")

local demux = Proto("hipmm_udp", "hipmm UDP/10500 demultiplexer")
local f_kind = ProtoField.string("hipmm_udp.kind", "Kind")
demux.fields = { f_kind }

function demux.dissector(tvb, pinfo, tree)
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
  tree:add(demux, tvb(0, 0)):add(f_kind, "esp")
  return esp:call(tvb, pinfo, tree)
end

udp_table:add(10500, demux)
