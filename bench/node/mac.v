// The design big-module.sh has yosys synthesize: a multiply-accumulate unit
// with a saturating 24-bit accumulator and a 4-entry coefficient register
// file, small enough for a run of seconds, with an adder, a multiplier,
// comparators, muxes and flip-flops for synth's passes to map.
module mac(input clk, input rst, input we, input [1:0] sel, input [11:0] x, input [11:0] coef,
           output reg [23:0] acc, output sat);
  reg [11:0] c [0:3];
  wire [23:0] p = x * c[sel];
  wire [24:0] sum = acc + p;
  assign sat = sum[24];
  always @(posedge clk) begin
    if (we) c[sel] <= coef;
    if (rst) acc <= 0;
    else acc <= sat ? 24'hffffff : sum[23:0];
  end
endmodule
