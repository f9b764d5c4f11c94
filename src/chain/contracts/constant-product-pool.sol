// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";

/// @title A constant-product (x * y = k) pool of two ERC-20 tokens with a 0.3% fee
/// @notice The swap venue of the Concierge dev chain. `swap` enforces the caller's minimum output and
/// deadline on-chain, so a quote that went stale can never fill at a worse price than the caller accepted.
contract ConstantProductPool is ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice The fee, in basis points of the input amount, that stays in the pool for liquidity providers.
    uint256 public constant FEE_BPS = 30;
    uint256 private constant BPS = 10_000;

    IERC20 public immutable token0;
    IERC20 public immutable token1;
    uint256 public reserve0;
    uint256 public reserve1;
    uint256 public totalShares;
    mapping(address provider => uint256) public sharesOf;

    error IdenticalTokens();
    error UnknownToken(address token);
    error ZeroAmount();
    error InsufficientLiquidity();
    error InsufficientOutput();
    error InsufficientShares(uint256 requested, uint256 available);
    error SlippageExceeded(uint256 amountOut, uint256 minAmountOut);
    error Expired(uint256 deadline, uint256 timestamp);

    event LiquidityAdded(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    event LiquidityRemoved(address indexed provider, uint256 amount0, uint256 amount1, uint256 shares);
    event Swap(address indexed sender, address indexed tokenIn, uint256 amountIn, uint256 amountOut, address indexed to);

    constructor(IERC20 token0_, IERC20 token1_) {
        if (address(token0_) == address(token1_)) revert IdenticalTokens();
        token0 = token0_;
        token1 = token1_;
    }

    /// @notice The output `amountIn` of `tokenIn` buys at the current reserves, after the fee.
    function getAmountOut(address tokenIn, uint256 amountIn) public view returns (uint256 amountOut) {
        (uint256 reserveIn, uint256 reserveOut) = _reservesFor(tokenIn);
        if (amountIn == 0) revert ZeroAmount();
        if (reserveIn == 0 || reserveOut == 0) revert InsufficientLiquidity();
        uint256 amountInWithFee = amountIn * (BPS - FEE_BPS);
        amountOut = (amountInWithFee * reserveOut) / (reserveIn * BPS + amountInWithFee);
    }

    function getReserves() external view returns (uint256, uint256) {
        return (reserve0, reserve1);
    }

    /// @notice Sells exactly `amountIn` of `tokenIn` (pulled from the caller, who must have approved it) for
    /// at least `minAmountOut` of the other token, sent to `to`; reverts after `deadline` (unix seconds).
    function swap(address tokenIn, uint256 amountIn, uint256 minAmountOut, address to, uint256 deadline)
        external
        nonReentrant
        returns (uint256 amountOut)
    {
        if (block.timestamp > deadline) revert Expired(deadline, block.timestamp);
        amountOut = getAmountOut(tokenIn, amountIn);
        if (amountOut == 0) revert InsufficientOutput();
        if (amountOut < minAmountOut) revert SlippageExceeded(amountOut, minAmountOut);
        bool zeroForOne = tokenIn == address(token0);
        (IERC20 input, IERC20 output) = zeroForOne ? (token0, token1) : (token1, token0);
        input.safeTransferFrom(msg.sender, address(this), amountIn);
        output.safeTransfer(to, amountOut);
        if (zeroForOne) {
            reserve0 += amountIn;
            reserve1 -= amountOut;
        } else {
            reserve1 += amountIn;
            reserve0 -= amountOut;
        }
        emit Swap(msg.sender, tokenIn, amountIn, amountOut, to);
    }

    /// @notice Deposits both tokens (approved beforehand); the first deposit sets the price. Returns the shares minted.
    function addLiquidity(uint256 amount0, uint256 amount1) external nonReentrant returns (uint256 shares) {
        if (amount0 == 0 || amount1 == 0) revert ZeroAmount();
        shares = totalShares == 0
            ? Math.sqrt(amount0 * amount1)
            : Math.min((amount0 * totalShares) / reserve0, (amount1 * totalShares) / reserve1);
        if (shares == 0) revert ZeroAmount();
        token0.safeTransferFrom(msg.sender, address(this), amount0);
        token1.safeTransferFrom(msg.sender, address(this), amount1);
        reserve0 += amount0;
        reserve1 += amount1;
        totalShares += shares;
        sharesOf[msg.sender] += shares;
        emit LiquidityAdded(msg.sender, amount0, amount1, shares);
    }

    /// @notice Burns `shares` of the caller and returns their part of both reserves.
    function removeLiquidity(uint256 shares) external nonReentrant returns (uint256 amount0, uint256 amount1) {
        uint256 available = sharesOf[msg.sender];
        if (shares == 0) revert ZeroAmount();
        if (shares > available) revert InsufficientShares(shares, available);
        amount0 = (shares * reserve0) / totalShares;
        amount1 = (shares * reserve1) / totalShares;
        sharesOf[msg.sender] = available - shares;
        totalShares -= shares;
        reserve0 -= amount0;
        reserve1 -= amount1;
        token0.safeTransfer(msg.sender, amount0);
        token1.safeTransfer(msg.sender, amount1);
        emit LiquidityRemoved(msg.sender, amount0, amount1, shares);
    }

    function _reservesFor(address tokenIn) private view returns (uint256 reserveIn, uint256 reserveOut) {
        if (tokenIn == address(token0)) return (reserve0, reserve1);
        if (tokenIn == address(token1)) return (reserve1, reserve0);
        revert UnknownToken(tokenIn);
    }
}
