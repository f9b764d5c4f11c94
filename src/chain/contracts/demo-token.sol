// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC3009} from "@openzeppelin/contracts/token/ERC20/extensions/draft-ERC3009.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title A test token of the Concierge dev chain
/// @notice It has no value anywhere: it exists so assistants can swap and pay on the dev chain. The owner
/// mints freely. ERC-3009 (transfer with authorization, EIP-712 domain: the token's name, version "1")
/// lets a holder pay by signature, which is how x402 merchants are paid.
contract DemoToken is ERC20, EIP712, ERC3009, Ownable {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, address initialOwner)
        ERC20(name_, symbol_)
        EIP712(name_, "1")
        Ownable(initialOwner)
    {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice The EIP-712 domain version, as USDC exposes it (x402 facilitators read it to explain failures).
    function version() external pure returns (string memory) {
        return "1";
    }

    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
